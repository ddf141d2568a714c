using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// A database that is busy, out of connections or unreachable is a reason to come back shortly, not
/// a server error: the caller (a client, or a provider delivering a webhook, which retries) gets 503
/// with <c>Retry-After</c>. Nothing was accepted, so nothing is lost by refusing.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (TransientDatabaseFailure(exception) is not { } failure)
            return false;
        logger.LogWarning("{Method} {Path} answered 503: the database is unavailable for now ({Reason})",
            http.Request.Method, http.Request.Path, failure.Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = $"The processor's database is busy or unreachable; nothing was recorded. Retry after {RetryAfterSeconds} s.",
            },
        });
    }

    /// <summary>Pool exhausted, too many clients, a timeout, a busy SQLite file: the drivers call these transient.</summary>
    private static DbException? TransientDatabaseFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is DbException { IsTransient: true } transient)
                return transient;
        return null;
    }
}
