namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Ports for the processes a test starts. Publish ranges are handed out in blocks of 100 from
/// 31000-31999: clear of `chas dev`'s default range (20000-29999), of the benchmark's (32000-32999) and
/// of the kernel's ephemeral ports (32768 and up) that API ports come from, and of each other.
/// </summary>
public static class PortRanges
{
    private const int First = 31000;
    private const int BlockSize = 100;
    private const int Blocks = 10; // 31000-31999

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
