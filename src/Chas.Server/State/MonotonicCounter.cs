namespace Chas.Server.State;

/// <summary>
/// A count that only grows (entries written, entries committed) and that callers can wait on until
/// it reaches a value: each advance completes the awaited signal and arms a new one, so a waiter
/// wakes exactly when the count moves instead of polling it.
/// </summary>
public sealed class MonotonicCounter
{
    private readonly Lock _lock = new();
    private long _value;
    private TaskCompletionSource _advanced = NewSignal();

    public long Value
    {
        get { lock (_lock) return _value; }
    }

    public void Add(long amount) => Advance(amount, absolute: false);

    /// <summary>Raises the count to <paramref name="value"/>; a lower value leaves it as it is.</summary>
    public void RaiseTo(long value) => Advance(value, absolute: true);

    /// <summary>
    /// Waits until the count reaches <paramref name="target"/>: true when it did, false when
    /// <paramref name="limit"/> (on <paramref name="time"/>'s clock) passed first. Throws when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<bool> WaitForAsync(long target, TimeSpan limit, TimeProvider time, CancellationToken ct)
    {
        using var expiry = new CancellationTokenSource(limit, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        while (true)
        {
            Task advanced;
            lock (_lock)
            {
                if (_value >= target) return true;
                advanced = _advanced.Task;
            }
            try
            {
                await advanced.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private void Advance(long amount, bool absolute)
    {
        TaskCompletionSource reached;
        lock (_lock)
        {
            var next = absolute ? Math.Max(_value, amount) : _value + amount;
            if (next == _value) return;
            _value = next;
            reached = _advanced;
            _advanced = NewSignal();
        }
        reached.SetResult();
    }

    // Continuations run off the advancing thread: the writer loop never runs a waiter's code.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
