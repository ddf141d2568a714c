using System.Net;
using System.Net.Sockets;

namespace Payouts.Bus.Tests.Support;

public static class LoopbackPort
{
    /// <summary>
    /// A loopback port free at the moment of asking, for a server the test starts next. Taken below
    /// Linux's ephemeral range (32768 and up): port 0 would hand out an ephemeral port, which the
    /// tests' own outgoing connections (database, broker, HTTP) may grab before the server binds it.
    /// </summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }
}
