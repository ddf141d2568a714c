using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Deployment;

/// <summary>A production host fails closed: it never pays into the in-process simulator by mistake.</summary>
public sealed class ProductionHostTests
{
    [Fact]
    public async Task Production_host_with_the_sandbox_switched_on_refuses_to_start_and_names_the_switch()
    {
        // Bound but never listening: the host is not reachable there, and neither is a sandbox.
        using var hostPort = new ClosedLoopbackPort();
        using var sandboxPort = new ClosedLoopbackPort();
        var database = Path.Combine(Path.GetTempPath(), $"payouts-production-{Guid.NewGuid():N}.db");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(hostPort.Url, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:Payouts"] = $"Data Source={database}",
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:Url"] = sandboxPort.Url.ToString(),
        }));

        Assert.Contains("The host exited", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:UnsafeAllowInProduction", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Provider sandbox listening", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(database), "a refused host touches no database");
    }
}
