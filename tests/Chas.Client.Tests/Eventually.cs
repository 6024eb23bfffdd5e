using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Client.Tests;

public static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits (real time, with a deadline) until <paramref name="condition"/> holds. The informer's own pauses run on
    /// the fake clock, so each round lets the fake clock move by <paramref name="step"/> (none: the clock stands still).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what, FakeTimeProvider? time = null, TimeSpan? step = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Deadline) throw new TimeoutException($"not within {Deadline.TotalSeconds} s: {what}");
            if (time is not null && step is { } by) time.Advance(by);
            await Task.Delay(10);
        }
    }
}
