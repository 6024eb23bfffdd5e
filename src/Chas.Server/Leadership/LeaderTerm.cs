using Chas.Store;

namespace Chas.Server.Leadership;

/// <summary>
/// One uninterrupted stretch of this server's leadership. Leader-only work runs inside
/// <see cref="StoreFence.Enter"/> with <see cref="Fence"/> and stops when <see cref="Lost"/> is cancelled.
/// </summary>
// Its token source has no timer and no wait handle, so leaving it to the GC frees everything; disposing it
// could race a late registration from a service still winding down the term.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "see above")]
public sealed class LeaderTerm
{
    private readonly CancellationTokenSource _lost = new();

    internal LeaderTerm(Fence? fence, DateTimeOffset leadingSince) => (Fence, LeadingSince) = (fence, leadingSince);

    /// <summary>
    /// When this server's unbroken leadership began: the start of this term, or of an earlier one of this server's
    /// that this term directly follows (a term that lapsed and was taken again with no other leader between).
    /// </summary>
    public DateTimeOffset LeadingSince { get; }

    /// <summary>The lease and token every commit of this term carries; null when the store keeps no leases (always leader).</summary>
    public Fence? Fence { get; }

    /// <summary>Cancelled when the term ends: the lease was lost or not renewed in time, a write was fenced out, or the server stops.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsActive => !_lost.IsCancellationRequested;

    /// <summary>Why the term ended; null while it lasts.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Ends the term once; later calls keep the first reason.</summary>
    internal bool End(string reason)
    {
        lock (_lost)
        {
            if (_lost.IsCancellationRequested) return false;
            EndReason = reason;
            _lost.Cancel();
            return true;
        }
    }
}
