using Chas.Server.State;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>The signal the event and audit logs' queries wait on until their writer has stored what came before them.</summary>
public sealed class MonotonicCounterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_waiter_wakes_when_the_count_reaches_its_target_and_not_before()
    {
        var time = new FakeTimeProvider();
        var counter = new MonotonicCounter();
        var waiting = counter.WaitForAsync(3, Limit, time, CancellationToken.None);
        counter.Add(2);
        Assert.False(waiting.IsCompleted);
        counter.Add(1);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, counter.Value);
    }

    [Fact]
    public async Task A_count_already_reached_answers_at_once_and_a_lower_raise_changes_nothing()
    {
        var counter = new MonotonicCounter();
        counter.RaiseTo(7);
        counter.RaiseTo(5);
        Assert.Equal(7, counter.Value);
        Assert.True(await counter.WaitForAsync(7, Limit, new FakeTimeProvider(), CancellationToken.None));
    }

    [Fact]
    public async Task A_waiter_gives_up_when_the_limit_passes_on_the_given_clock()
    {
        var time = new FakeTimeProvider();
        var counter = new MonotonicCounter();
        var waiting = counter.WaitForAsync(1, Limit, time, CancellationToken.None);
        time.Advance(Limit - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_cancelled_waiter_throws()
    {
        var counter = new MonotonicCounter();
        using var cancel = new CancellationTokenSource();
        var waiting = counter.WaitForAsync(1, Limit, new FakeTimeProvider(), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
