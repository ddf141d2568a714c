using System.Net;
using System.Net.Sockets;

namespace Payouts.Bus.Tests.Support;

public static class LoopbackPort
{
    /// <summary>A loopback port free at the moment of asking, for a server the test starts next.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
