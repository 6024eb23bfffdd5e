using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker.Logs;

/// <summary>Reads the engine's multiplexed log stream (tty=false: 8-byte frame headers name stdout or stderr) as lines.</summary>
internal static class MultiplexedLogReader
{
    private const int ReadBufferBytes = 16 * 1024;

    public static ContainerLogsParameters ToParameters(LogOptions options) => new()
    {
        ShowStdout = true,
        ShowStderr = true,
        Follow = options.Follow,
        Timestamps = options.Timestamps,
        Tail = options.Tail is { } tail ? Math.Max(0, tail).ToString(CultureInfo.InvariantCulture) : "all",
        Since = options.Since is { } since ? DockerTime.ToUnixSeconds(since) : null,
    };

    public static async IAsyncEnumerable<LogLine> ReadLinesAsync(
        MultiplexedStream output, bool timestamps, string containerId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A read blocked on the socket does not always observe the token; closing the stream always ends it.
        await using var closeOnCancel = cancellationToken.Register(output.Dispose);

        var assembler = new LogLineAssembler(timestamps);
        var lines = new List<LogLine>();
        var buffer = new byte[ReadBufferBytes];
        while (true)
        {
            var read = await ReadChunkAsync(output, buffer, containerId, cancellationToken);
            if (read.EOF)
            {
                break;
            }

            var stream = read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout;
            assembler.Append(stream, buffer.AsSpan(0, read.Count), lines);
            foreach (var line in lines)
            {
                yield return line;
            }

            lines.Clear();
        }

        assembler.Complete(lines);
        foreach (var line in lines)
        {
            yield return line;
        }
    }

    private static async Task<MultiplexedStream.ReadResult> ReadChunkAsync(
        MultiplexedStream output, byte[] buffer, string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await output.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // The stream was closed by the cancellation registration; report it as the cancellation it is.
            throw new OperationCanceledException("Reading logs was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e) || e is ObjectDisposedException)
        {
            throw new RuntimeException($"reading logs of container {containerId}: the log stream broke: {e.Message}", e);
        }
    }
}
