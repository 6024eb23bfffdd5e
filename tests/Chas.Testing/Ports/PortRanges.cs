namespace Chas.Testing.Ports;

/// <summary>
/// Ports for the processes a test starts. Publish ranges are handed out in blocks of 100 from
/// 31000-31999: clear of `chas dev`'s default range (20000-29999), of the benchmark's (32000-32999) and
/// of the kernel's ephemeral ports (32768 and up) that API ports come from, and of each other: a block
/// is lent until <see cref="Release"/> gives it back, so a run may start far more nodes than there are
/// blocks as long as no more than ten live at once (the shared `chas dev` keeps one for the whole run).
/// </summary>
public static class PortRanges
{
    private const int First = 31000;
    private const int BlockSize = 100;
    private const int Blocks = 10; // 31000-31999

    private static readonly Lock Gate = new();
    private static readonly bool[] Lent = new bool[Blocks];
    private static int _next;

    /// <summary>A block no live node has; the least recently handed out one, so a block freed a moment ago rests a while.</summary>
    public static (int From, int To) NextPublishRange()
    {
        lock (Gate)
        {
            for (var i = 0; i < Blocks; i++)
            {
                var block = (_next + i) % Blocks;
                if (Lent[block]) continue;
                Lent[block] = true;
                _next = (block + 1) % Blocks;
                var from = First + block * BlockSize;
                return (from, from + BlockSize - 1);
            }
        }
        throw new InvalidOperationException($"all {Blocks} publish ranges of {First}-{First + Blocks * BlockSize - 1} are in use: a test keeps too many nodes");
    }

    /// <summary>The node that had this range is gone (its containers removed): the block may be lent again.</summary>
    public static void Release((int From, int To) range)
    {
        var block = (range.From - First) / BlockSize;
        if (block is < 0 or >= Blocks) return;
        lock (Gate) Lent[block] = false;
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
