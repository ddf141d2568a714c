using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Chaos;

/// <summary>
/// The load balancer in front of the processors, as production has one: the providers' webhooks and
/// callbacks go to one public URL and are passed to a processor that is up, the next one when it does not
/// answer. Bodies and signature headers pass untouched.
/// </summary>
public sealed class WebhookProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Content-Length", "Keep-Alive" };
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly IReadOnlyList<ChildProcess> _processors;
    private int _next;

    private WebhookProxy(WebApplication app, IReadOnlyList<ChildProcess> processors)
    {
        _app = app;
        _processors = processors;
        _app.Run(ForwardAsync);
    }

    public static async Task<WebhookProxy> StartAsync(Uri url, IReadOnlyList<ChildProcess> processors)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url.ToString());
        builder.Logging.ClearProviders();
        var proxy = new WebhookProxy(builder.Build(), processors);
        await proxy._app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var first = Interlocked.Increment(ref _next);
        for (var i = 0; i < _processors.Count; i++)
        {
            var processor = _processors[(int)((uint)(first + i) % (uint)_processors.Count)];
            if (!processor.Ready)
                continue;
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(processor.Url, context.Request.Path + context.Request.QueryString))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var (name, values) in context.Request.Headers)
            {
                if (HopHeaders.Contains(name))
                    continue;
                if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                    request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
            try
            {
                using var response = await _http.SendAsync(request, context.RequestAborted);
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
                await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
                return;
            }
            catch (HttpRequestException)
            {
                // That processor died under the request: the next one takes it, as a balancer's retry would.
            }
        }
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
