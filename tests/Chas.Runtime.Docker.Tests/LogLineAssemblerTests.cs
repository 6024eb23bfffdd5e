using System.Text;
using Chas.Runtime.Docker.Logs;

namespace Chas.Runtime.Docker.Tests;

public sealed class LogLineAssemblerTests
{
    [Fact]
    public void Lines_split_across_chunks_are_joined()
    {
        var lines = Assemble(false, (LogStream.Stdout, "hel"), (LogStream.Stdout, "lo\nwor"), (LogStream.Stdout, "ld\n"));

        Assert.Equal(["hello", "world"], lines.Select(line => line.Text));
    }

    [Fact]
    public void Several_lines_in_one_chunk_come_out_in_order()
    {
        var lines = Assemble(false, (LogStream.Stdout, "a\nb\n\nc\n"));

        Assert.Equal(["a", "b", "", "c"], lines.Select(line => line.Text));
    }

    [Fact]
    public void Stdout_and_stderr_keep_separate_partial_lines()
    {
        var lines = Assemble(false, (LogStream.Stdout, "o1-"), (LogStream.Stderr, "e1\n"), (LogStream.Stdout, "o2\n"));

        Assert.Equal([new LogLine(LogStream.Stderr, null, "e1"), new LogLine(LogStream.Stdout, null, "o1-o2")], lines);
    }

    [Fact]
    public void A_final_line_without_newline_is_emitted_at_the_end()
    {
        var lines = Assemble(false, (LogStream.Stdout, "done\nno newline"));

        Assert.Equal(["done", "no newline"], lines.Select(line => line.Text));
    }

    [Fact]
    public void A_multibyte_character_split_between_chunks_is_decoded_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("✓ ok\n"); // the check mark is three bytes
        var assembler = new LogLineAssembler(timestamps: false);
        var lines = new List<LogLine>();

        foreach (var oneByte in bytes)
        {
            assembler.Append(LogStream.Stdout, [oneByte], lines);
        }

        assembler.Complete(lines);
        Assert.Equal("✓ ok", Assert.Single(lines).Text);
    }

    [Fact]
    public void Timestamps_are_parsed_and_removed_from_the_text()
    {
        var lines = Assemble(true, (LogStream.Stderr, "2024-05-07T12:34:56.123456789Z hello world\n"));

        var line = Assert.Single(lines);
        Assert.Equal("hello world", line.Text);
        Assert.Equal(new DateTimeOffset(2024, 5, 7, 12, 34, 56, TimeSpan.Zero).AddTicks(1_234_567), line.Timestamp);
    }

    [Fact]
    public void A_line_without_a_parsable_timestamp_keeps_its_text()
    {
        var lines = Assemble(true, (LogStream.Stdout, "not-a-time hello\n"));

        Assert.Equal(new LogLine(LogStream.Stdout, null, "not-a-time hello"), Assert.Single(lines));
    }

    private static List<LogLine> Assemble(bool timestamps, params (LogStream Stream, string Text)[] chunks)
    {
        var assembler = new LogLineAssembler(timestamps);
        var lines = new List<LogLine>();
        foreach (var (stream, text) in chunks)
        {
            assembler.Append(stream, Encoding.UTF8.GetBytes(text), lines);
        }

        assembler.Complete(lines);
        return lines;
    }
}
