using System.Net;
using System.Net.Sockets;

namespace HomeSec.TestSupport;

public static class LoopbackPort
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago: the OS picks it, so parallel tests do not collide
    /// (a small race remains until the caller binds it, which fixed ports would make far worse).
    /// </summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
