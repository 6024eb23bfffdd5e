namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Ports for the processes a test starts. Publish ranges are handed out in blocks of 100 below the
/// kernel's ephemeral range (32768 and up), so they never collide with each other nor with the free
/// ports the kernel gives out for APIs.
/// </summary>
public static class PortRanges
{
    private const int First = 31000;
    private const int BlockSize = 100;
    private const int Blocks = 17; // 31000-32699

    private static int _next = -1;

    public static (int From, int To) NextPublishRange()
    {
        var block = (Interlocked.Increment(ref _next) % Blocks + Blocks) % Blocks;
        var from = First + block * BlockSize;
        return (from, from + BlockSize - 1);
    }

    /// <summary>A port nothing listens on right now, from the kernel (bind to port 0, read it, release it).</summary>
    public static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
