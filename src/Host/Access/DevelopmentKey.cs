using Microsoft.Extensions.Options;
using Payouts.Bus.Persistence.Access;

namespace Payouts.Bus.Host.Access;

/// <summary>
/// The quick start's key: on a first start with <c>Auth:CreateDevelopmentKey</c> and no key at all
/// (configured or stored), one named <c>development</c> with every scope is made and printed once.
/// </summary>
internal sealed class DevelopmentKey(IServiceProvider services, IOptions<AccessOptions> access) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!access.Value.CreateDevelopmentKey || access.Value.ApiKeys.Count > 0)
            return;
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
        if (await store.AnyAsync(cancellationToken))
            return;
        var key = await store.CreateAsync("development", string.Join(' ', Scopes.All), cancellationToken);
        Console.WriteLine($"""

            A development API key was made, with every scope. It is shown this once; only its hash is kept.

                export PAYOUTS_API_KEY={key}

            Send it as: Authorization: Bearer $PAYOUTS_API_KEY

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
