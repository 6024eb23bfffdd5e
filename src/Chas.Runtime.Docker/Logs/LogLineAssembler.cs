using System.Text;

namespace Chas.Runtime.Docker.Logs;

/// <summary>
/// Turns demultiplexed byte chunks into <see cref="LogLine"/>s. Chunks follow the transport, not the program's
/// output: a line, or a single multi-byte UTF-8 character, may arrive in pieces, and stdout and stderr interleave.
/// Each stream therefore keeps its own unfinished line and its own decoder state.
/// </summary>
internal sealed class LogLineAssembler(bool timestamps)
{
    private readonly PartialLine _stdout = new();
    private readonly PartialLine _stderr = new();

    /// <summary>Adds a chunk; every line it completes is appended to <paramref name="completed"/>.</summary>
    public void Append(LogStream stream, ReadOnlySpan<byte> chunk, List<LogLine> completed)
    {
        var partial = stream == LogStream.Stderr ? _stderr : _stdout;
        while (!chunk.IsEmpty)
        {
            // Splitting bytes on '\n' is safe: 0x0A never occurs inside a multi-byte UTF-8 sequence.
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                partial.Add(chunk, endOfLine: false);
                return;
            }

            partial.Add(chunk[..newline], endOfLine: true);
            completed.Add(ToLogLine(stream, partial.Take()));
            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>The output has ended: an unfinished last line (no trailing newline) still counts as a line.</summary>
    public void Complete(List<LogLine> completed)
    {
        foreach (var (stream, partial) in new[] { (LogStream.Stdout, _stdout), (LogStream.Stderr, _stderr) })
        {
            if (partial.HasContent)
            {
                partial.Add([], endOfLine: true);
                completed.Add(ToLogLine(stream, partial.Take()));
            }
        }
    }

    private LogLine ToLogLine(LogStream stream, string text)
    {
        // With timestamps=true Docker writes "<RFC3339Nano> <text>" for every line.
        if (timestamps)
        {
            var space = text.IndexOf(' ');
            var stampText = space < 0 ? text.AsSpan() : text.AsSpan(0, space);
            if (DockerTime.TryParse(stampText, out var timestamp))
            {
                return new LogLine(stream, timestamp, space < 0 ? "" : text[(space + 1)..]);
            }
        }

        return new LogLine(stream, null, text);
    }

    /// <summary>One stream's line in progress; the decoder carries a character split across chunks.</summary>
    private sealed class PartialLine
    {
        private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
        private readonly StringBuilder _text = new();

        public bool HasContent { get; private set; }

        public void Add(ReadOnlySpan<byte> bytes, bool endOfLine)
        {
            HasContent |= !bytes.IsEmpty;
            // flush at the end of a line: a sequence still incomplete there is invalid and becomes U+FFFD.
            // GetChars must run even when no character completes: it is what stores a split sequence's first bytes.
            var count = _decoder.GetCharCount(bytes, flush: endOfLine);
            Span<char> chars = count <= 1024 ? stackalloc char[count] : new char[count];
            _decoder.GetChars(bytes, chars, flush: endOfLine);
            _text.Append(chars);
        }

        public string Take()
        {
            var text = _text.ToString();
            _text.Clear();
            HasContent = false;
            return text;
        }
    }
}
