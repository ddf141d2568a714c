using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// Runs the provider sandbox for as long as the host runs: on its own (src/Sandbox.Host) or
    /// inside the processor on the embedded default. <paramref name="webhookDefaults"/> fills the
    /// webhook URLs configuration leaves empty.
    /// </summary>
    public static IServiceCollection AddProviderSandbox(this IServiceCollection services, IConfiguration configuration,
        Action<IServiceProvider, SandboxOptions>? webhookDefaults = null)
    {
        var options = configuration.GetSection(SandboxOptions.Section).Get<SandboxOptions>() ?? new SandboxOptions();
        services.AddSingleton(sp =>
        {
            webhookDefaults?.Invoke(sp, options);
            return new ProviderSandbox(options, sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddHostedService<SandboxService>();
        return services;
    }

    private sealed class SandboxService(ProviderSandbox sandbox) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => sandbox.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => sandbox.DisposeAsync().AsTask();
    }
}
