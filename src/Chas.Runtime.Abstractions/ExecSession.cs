namespace Chas.Runtime;

/// <summary>A command to run attached inside a running container (`chas exec`).</summary>
public sealed record ExecRequest
{
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>A pseudo-terminal: output comes as one stream (stdout), and the terminal can be resized.</summary>
    public bool Tty { get; init; }
    /// <summary>Whether the command gets input; without it, its stdin is at end of input from the start.</summary>
    public bool Stdin { get; init; }
}

/// <summary>One chunk of a command's output; <see cref="Count"/> 0 means the output has ended.</summary>
public readonly record struct ExecOutput(LogStream Stream, int Count);

/// <summary>
/// A command running attached inside a container: write its input, read its output, resize its terminal, learn
/// how it ended. Disposing hangs up: its input and output close (a shell on a TTY then ends).
/// </summary>
public interface IExecSession : IAsyncDisposable
{
    /// <summary>Reads the next chunk of output into <paramref name="buffer"/>; a count of 0 when the output has ended.</summary>
    Task<ExecOutput> ReadAsync(byte[] buffer, CancellationToken cancellationToken);

    /// <summary>Sends input; ignored when the request did not ask for stdin.</summary>
    Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken);

    /// <summary>End of input: the command reads EOF (e.g. `cat` ends).</summary>
    Task CloseInputAsync(CancellationToken cancellationToken);

    /// <summary>Resizes the command's terminal; does nothing without a TTY.</summary>
    Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken);

    /// <summary>The command's exit code, once its output has ended.</summary>
    Task<int> WaitForExitCodeAsync(CancellationToken cancellationToken);
}

/// <summary>How a container is reached over the network from its node.</summary>
/// <param name="IpAddress">Its address on its engine network; null when it has none (not running, host or no network).</param>
/// <param name="PublishedPorts">Its container ports published on the node (HostIp empty: every address of the node).</param>
public sealed record ContainerNetwork(string? IpAddress, IReadOnlyList<PortBinding> PublishedPorts);
