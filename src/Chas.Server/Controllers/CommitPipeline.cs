namespace Chas.Server.Controllers;

/// <summary>
/// Commits batches strictly one after another while the caller prepares the next: a batch is sent only once
/// the one before it has committed, so it can expect what that commit wrote (the scheduler's allocation
/// token), and a batch whose predecessor failed is never sent — the failure surfaces from the next
/// <see cref="SubmitAsync"/> or from <see cref="DrainAsync"/>. Not thread-safe: one caller, one pass.
/// </summary>
internal sealed class CommitPipeline
{
    private Task<long>? _inFlight;
    private long? _lastRevision;

    /// <summary>Waits for the batch in flight (rethrowing its failure), then starts <paramref name="commit"/> and returns without waiting for it.</summary>
    public async Task SubmitAsync(Func<Task<long>> commit)
    {
        await DrainAsync();
        _inFlight = commit();
    }

    /// <summary>Waits for the batch in flight; returns the revision of the last commit, or null when nothing was committed.</summary>
    public async Task<long?> DrainAsync()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            _lastRevision = await inFlight;
        }
        return _lastRevision;
    }

    /// <summary>After a failure elsewhere: lets a batch still in flight finish (or fail) quietly, so nothing is left running.</summary>
    public async Task AbandonAsync()
    {
        if (_inFlight is not { } inFlight) return;
        _inFlight = null;
        try
        {
            await inFlight;
        }
        catch (Exception)
        {
            // The pass is already failing for another reason; the caller catches up with the store before deciding again.
        }
    }
}
