using System.Text;
using Spectre.Console;

namespace Chas.Cli;

/// <summary>
/// Long work (rollouts, drains, image imports) shows a Spectre.Console spinner with the latest step
/// when stdout is a terminal; earlier steps stay printed above it. Piped into a script or a test,
/// the same steps come out as plain lines, exactly as before.
/// </summary>
internal static class LiveProgress
{
    public static async Task<T> RunAsync<T>(string initial, Func<TextWriter, Task<T>> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive) return await work(Console.Out);
        return await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(initial), async context =>
        {
            await using var steps = new StatusWriter(context);
            return await work(steps);
        });
    }

    public static Task RunAsync(string initial, Func<TextWriter, Task> work) =>
        RunAsync(initial, async writer =>
        {
            await work(writer);
            return true;
        });

    /// <summary>Each completed line becomes the spinner's text; the line it replaces is printed above.</summary>
    private sealed class StatusWriter(StatusContext context) : TextWriter
    {
        private readonly StringBuilder _line = new();
        private string? _current;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\r') return;
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }
            if (_current is not null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(_current)}[/]");
            _current = _line.ToString();
            _line.Clear();
            context.Status(Markup.Escape(_current));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _current is not null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(_current)}[/]");
            _current = null;
            base.Dispose(disposing);
        }
    }
}
