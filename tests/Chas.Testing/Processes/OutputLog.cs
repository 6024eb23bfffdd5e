using System.Text;

namespace Chas.Testing.Processes;

/// <summary>What a long-running process printed, kept across restarts, for failure messages and test output.</summary>
public sealed class OutputLog
{
    private const int MaxTailChars = 12_000;
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();

    public void Append(string line)
    {
        lock (_lock) _text.Append(line).Append('\n');
    }

    /// <summary>A position to read from later with <see cref="Since"/>.</summary>
    public int Mark()
    {
        lock (_lock) return _text.Length;
    }

    public string Since(int mark)
    {
        lock (_lock) return _text.ToString(Math.Min(mark, _text.Length), _text.Length - Math.Min(mark, _text.Length));
    }

    /// <summary>The end of the output: what explains a failure is nearly always at the end.</summary>
    public string Tail()
    {
        lock (_lock)
        {
            return _text.Length <= MaxTailChars ? _text.ToString() : "…" + _text.ToString(_text.Length - MaxTailChars, MaxTailChars);
        }
    }

    public override string ToString() => Tail();
}
