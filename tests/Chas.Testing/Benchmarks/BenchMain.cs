using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Chas.Client;

namespace Chas.Testing.Benchmarks;

/// <summary>
/// Ctrl-C or a kill (SIGINT, SIGTERM) cancels <see cref="Token"/> instead of ending the process, so that a benchmark
/// stops measuring but still stops what it started and deletes its files.
/// </summary>
public sealed class BenchCancellation : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _onInterrupt;
    private readonly PosixSignalRegistration _onTerminate;

    public BenchCancellation()
    {
        _onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancel.Token;

    public bool IsCancellationRequested => _cancel.IsCancellationRequested;

    private void OnSignal(PosixSignalContext signal)
    {
        signal.Cancel = true;
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _onInterrupt.Dispose();
        _onTerminate.Dispose();
        _cancel.Dispose();
    }
}

/// <summary>
/// The frame of a benchmark's Program: progress lines on stderr, 130 when interrupted, 1 with one `error:` line for
/// the failures a run can meet (the whole exception with verbose), and how long the run took, cleanup included.
/// </summary>
public static class BenchMain
{
    public static void Progress(string line) => Console.Error.WriteLine($"[bench] {line}");

    /// <param name="run">The measurement; returns the exit code (0 whether or not a target is met).</param>
    /// <param name="alsoExpected">Further exceptions that are a failed run rather than a bug (e.g. a missing tool).</param>
    public static async Task<int> RunAsync(bool verbose, Func<Action<string>, CancellationToken, Task<int>> run,
        Func<Exception, bool>? alsoExpected = null)
    {
        using var cancel = new BenchCancellation();
        var runStarted = Stopwatch.GetTimestamp();
        try
        {
            return await run(Progress, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Progress("interrupted");
            return 130;
        }
        catch (Exception ex) when (ex is HttpRequestException or ChasApiException or InvalidOperationException or TimeoutException or IOException
                                   || alsoExpected?.Invoke(ex) == true)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            if (verbose) Console.Error.WriteLine(ex);
            return 1;
        }
        finally
        {
            Progress(string.Create(CultureInfo.InvariantCulture, $"cleaned up; the run took {Stopwatch.GetElapsedTime(runStarted).TotalSeconds:0.0} s"));
        }
    }
}
