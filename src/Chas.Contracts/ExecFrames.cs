namespace Chas.Contracts;

/// <summary>
/// The frame protocol of `chas exec` on both WebSocket hops (client ↔ server ↔ agent), also what the dashboard's
/// terminal speaks: every message is binary and its first byte says what the rest is. Binary rather than text so
/// that output cut in the middle of a UTF-8 character passes unchanged (xterm.js decodes it).
/// </summary>
public static class ExecFrames
{
    /// <summary>Client → container: input bytes. A stdin frame with nothing after the channel byte means end of input.</summary>
    public const byte Stdin = 0;
    /// <summary>Container → client: output bytes (all output, with a TTY).</summary>
    public const byte Stdout = 1;
    /// <summary>Container → client: error output bytes (never with a TTY).</summary>
    public const byte Stderr = 2;
    /// <summary>Client → container: a <see cref="TerminalSize"/> as JSON; ignored without a TTY.</summary>
    public const byte Resize = 3;
    /// <summary>Container → client: an <see cref="ExecExit"/> as JSON, the last frame before a normal close.</summary>
    public const byte Exit = 4;

    /// <summary>A frame: <paramref name="channel"/> followed by <paramref name="payload"/>.</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[payload.Length + 1];
        frame[0] = channel;
        payload.CopyTo(frame.AsSpan(1));
        return frame;
    }
}

/// <summary>A terminal's size in character cells: `{"cols":80,"rows":24}`.</summary>
public sealed record TerminalSize(int Cols, int Rows);

/// <summary>How the command ended: `{"exitCode":3}`.</summary>
public sealed record ExecExit(int ExitCode);
