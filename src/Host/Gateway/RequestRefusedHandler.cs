using Microsoft.AspNetCore.Diagnostics;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// A request the server refused while reading it (a body over <see cref="PayoutEndpoints.MaxRequestBodyBytes"/>,
/// sent with a length or in chunks; a malformed or cut-off body) is the caller's to fix: it gets the
/// status Kestrel chose (413, 400, 408) and a problem body, never a 500.
/// </summary>
internal sealed class RequestRefusedHandler(IProblemDetailsService problems, ILogger<RequestRefusedHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException refused)
            return false;
        logger.LogWarning("{Method} {Path} refused {Status} from {Remote}: {Reason}",
            http.Request.Method, http.Request.Path, refused.StatusCode, http.Connection.RemoteIpAddress, refused.Message);
        http.Response.StatusCode = refused.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = refused.StatusCode,
                Title = refused.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Bad request",
                Detail = refused.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"Request bodies are limited to {PayoutEndpoints.MaxRequestBodyBytes / 1024} KB, however they are sent."
                    : refused.Message,
            },
        });
    }
}
