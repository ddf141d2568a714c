using System.Net;
using System.Net.Sockets;

namespace Payouts.Bus.Tests.Support;

public static class LoopbackPort
{
    /// <summary>
    /// A loopback port free at the moment of asking, for a server that must know its address before
    /// it starts: the processor host (its public URL goes into provider callbacks and must stay the
    /// same across the restart tests) and the sandbox embedded in it. Every other test server binds
    /// port 0 and reads its port back. Taken below Linux's ephemeral range (32768 and up), so the
    /// tests' own outgoing connections cannot grab it before the server binds it.
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

/// <summary>
/// A loopback port that refuses every connection for as long as this lives: bound, never listened
/// on, so no other server can take it while the test runs. Where webhooks must go nowhere.
/// </summary>
public sealed class ClosedLoopbackPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ClosedLoopbackPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");

    public void Dispose() => _socket.Dispose();
}
