using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Chas.Bench.Ingress;

/// <summary>What one wrk run reported. Latencies in milliseconds.</summary>
internal sealed record WrkResult
{
    public required double RequestsPerSecond { get; init; }
    public required long Requests { get; init; }
    public required double P50Ms { get; init; }
    public required double P90Ms { get; init; }
    public required double P99Ms { get; init; }
    /// <summary>Connect, read, write and timeout errors together.</summary>
    public required long SocketErrors { get; init; }
    public required long Non2xx { get; init; }
    public long Errors => SocketErrors + Non2xx;
}

/// <summary>Runs wrk (the Debian package) with the same settings for every target, and reads its summary.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(BenchOptions options, Uri url, string? host, TimeSpan duration, CancellationToken ct)
    {
        var start = new ProcessStartInfo(options.WrkPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Arguments(options, duration, host)) start.ArgumentList.Add(arg);
        start.ArgumentList.Add(url.ToString());
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{options.WrkPath} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(duration + TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"wrk against {url} did not finish within {duration.TotalSeconds + 30:0} s");
        }
        var output = await stdout;
        var errors = await stderr;
        if (options.Verbose) Console.Error.WriteLine(output);
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk exited with code {process.ExitCode}: {errors}{output}");
        return Parse(output) ?? throw new InvalidOperationException($"wrk's output was not understood:\n{output}{errors}");
    }

    /// <summary>The settings every target gets; only the Host header differs (the ingress routes by it).</summary>
    public static IEnumerable<string> Arguments(BenchOptions options, TimeSpan duration, string? host)
    {
        yield return $"-t{options.Threads}";
        yield return $"-c{options.Connections}";
        yield return string.Create(CultureInfo.InvariantCulture, $"-d{(int)duration.TotalSeconds}s");
        yield return "--latency";
        if (host is null) yield break;
        yield return "-H";
        yield return $"Host: {host}";
    }

    /// <summary>Reads "Requests/sec:", "N requests in", the --latency distribution, socket errors and non-2xx lines.</summary>
    public static WrkResult? Parse(string output)
    {
        var rps = RequestsPerSecond().Match(output);
        var total = TotalRequests().Match(output);
        var percentiles = Percentile().Matches(output).ToDictionary(m => m.Groups[1].Value, m => ToMilliseconds(m.Groups[2].Value, m.Groups[3].Value));
        if (!rps.Success || !total.Success || !percentiles.TryGetValue("50", out var p50) || !percentiles.TryGetValue("90", out var p90)
            || !percentiles.TryGetValue("99", out var p99)) return null;
        var socket = SocketErrorsLine().Match(output);
        var non2xx = Non2xxLine().Match(output);
        return new WrkResult
        {
            RequestsPerSecond = double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            Requests = long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            P50Ms = p50,
            P90Ms = p90,
            P99Ms = p99,
            SocketErrors = socket.Success ? Enumerable.Range(1, 4).Sum(i => long.Parse(socket.Groups[i].Value, CultureInfo.InvariantCulture)) : 0,
            Non2xx = non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
        };
    }

    private static double ToMilliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => throw new FormatException($"unknown wrk time unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"^Requests/sec:\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s*([0-9]+) requests in ", RegexOptions.Multiline)]
    private static partial Regex TotalRequests();

    [GeneratedRegex(@"^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: ([0-9]+)")]
    private static partial Regex Non2xxLine();
}
