using System.Diagnostics;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The broker ./test.sh started, driven with <c>rabbitmqctl</c> (tests that need a virtual host of
/// their own, or restart the broker, run where the broker runs).
/// </summary>
public static class RabbitMqBroker
{
    /// <summary>A fresh virtual host, so that a host of the test's own has queues nobody else consumes.</summary>
    public static async Task<VirtualHost> CreateVirtualHostAsync()
    {
        var name = $"payouts-test-{Guid.NewGuid():N}";
        await ControlAsync("add_vhost", name);
        await ControlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        var run = new UriBuilder(RabbitMqHostFixture.BrokerUrl) { Path = "/" + name };
        return new VirtualHost(name, run.Uri.ToString());
    }

    /// <summary>Stops the RabbitMQ application (every connection drops, durable queues stay on disk) and starts it again.</summary>
    public static async Task RestartAsync(Func<Task> whileDown)
    {
        await ControlAsync("stop_app");
        try
        {
            await whileDown();
        }
        finally
        {
            await ControlAsync("start_app");
            await ControlAsync("await_startup");
        }
    }

    /// <summary>Runs <c>rabbitmqctl</c> and returns what it printed.</summary>
    public static async Task<string> ControlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-q");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("rabbitmqctl could not be started; these tests run beside the broker ./test.sh starts.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        return await output;
    }

    public sealed record VirtualHost(string Name, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await ControlAsync("delete_vhost", Name);
    }
}
