using System.Diagnostics;

namespace Chas.Testing.Metrics;

/// <summary>
/// `promtool check metrics` (Debian's prometheus package) over scraped text: the exposition format parses and
/// passes Prometheus' own lint. Shared by the server, agent and ingress tests.
/// </summary>
public static class Promtool
{
    public static string Locate() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("promtool is not on PATH: install Debian's `prometheus` package (test.sh does) to check /metrics");

    /// <summary>Throws <see cref="MetricsRejectedException"/> with promtool's own words unless it accepts <paramref name="metrics"/> without a remark.</summary>
    public static async Task AssertValidAsync(string metrics)
    {
        var file = Path.Combine(Path.GetTempPath(), $"chas-metrics-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, metrics);
        try
        {
            var start = new ProcessStartInfo("/bin/sh", ["-c", $"\"{Locate()}\" check metrics < \"{file}\""])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            var said = ((await stdout) + (await stderr)).Trim();
            // Thrown, not asserted: this library has no test framework, and any exception fails the test that called it.
            if (process.ExitCode != 0 || said.Length != 0)
                throw new MetricsRejectedException($"promtool check metrics exited {process.ExitCode}: {said}\n--- metrics ---\n{metrics}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>promtool found fault with the metrics; the message is its own words and the text it read.</summary>
public sealed class MetricsRejectedException(string message) : Exception(message);
