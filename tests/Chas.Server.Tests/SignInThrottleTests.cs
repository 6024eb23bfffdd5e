using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>The sign-in throttle's windows, on a fake clock: a burst counts whole even across a window's edge.</summary>
public sealed class SignInThrottleTests
{
    private static readonly ServerOptions ThreePerMinute = new() { DataDir = "unused", Urls = [], SignInAttemptsPerMinute = 3 };

    [Fact]
    public async Task A_burst_across_the_minute_is_refused_as_within_one_minute()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 58, TimeSpan.Zero));
        var throttle = new SignInThrottle(ThreePerMinute, new InMemorySharedCounters(time), time);
        Assert.Null(await throttle.TryAttemptAsync("10.0.0.1", "alice"));
        Assert.Null(await throttle.TryAttemptAsync("10.0.0.1", "alice"));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(await throttle.TryAttemptAsync("10.0.0.1", "alice"));
        // One window on the minute alone would have started afresh at 12:01:00 and let this one through.
        var wait = await throttle.TryAttemptAsync("10.0.0.1", "alice");
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Names_and_addresses_count_apart_and_the_limit_lifts_after_a_minute()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));
        var throttle = new SignInThrottle(ThreePerMinute, new InMemorySharedCounters(time), time);
        for (var i = 0; i < 3; i++) Assert.Null(await throttle.TryAttemptAsync("10.0.0." + i, "Alice"));
        // Another address, the same name (in other case): refused by the name's count.
        Assert.NotNull(await throttle.TryAttemptAsync("10.0.0.9", "alice"));
        Assert.Null(await throttle.TryAttemptAsync("10.0.0.9", "bob"));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(await throttle.TryAttemptAsync("10.0.0.9", "alice"));
    }
}
