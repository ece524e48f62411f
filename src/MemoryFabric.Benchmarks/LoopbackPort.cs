using System.Net;
using System.Net.Sockets;

namespace MemoryFabric.Benchmarks;

/// <summary>Free loopback ports for the servers and silos a benchmark starts.</summary>
internal static class LoopbackPort
{
    /// <summary>A port no one listens on right now (the operating system's choice).</summary>
    /// <returns>The port.</returns>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
