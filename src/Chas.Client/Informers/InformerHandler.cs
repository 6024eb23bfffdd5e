namespace Chas.Client.Informers;

/// <summary>
/// What an informer calls as its cache changes, one call at a time, in the order the changes happened; the next
/// change waits for the handler. A handler that throws makes the informer list again, as a broken stream does.
/// </summary>
public sealed class InformerHandler<T>
{
    public Func<T, CancellationToken, ValueTask>? Added { get; init; }

    /// <summary>The cached object, then the one that replaced it.</summary>
    public Func<T, T, CancellationToken, ValueTask>? Updated { get; init; }

    /// <summary>The last state of the object the cache no longer holds.</summary>
    public Func<T, CancellationToken, ValueTask>? Deleted { get; init; }

    /// <summary>
    /// After each list, once its differences have been delivered: every cached object. <c>first</c> is true after
    /// the informer's first list.
    /// </summary>
    public Func<InformerSync<T>, CancellationToken, ValueTask>? Synced { get; init; }

    /// <summary>
    /// Whether a (re)list delivers its difference from the cache as Added, Updated and Deleted (the default).
    /// A handler that reconciles the whole list on <see cref="Synced"/> turns it off, and then hears
    /// Added/Updated/Deleted only for watch events.
    /// </summary>
    public bool DeliverListDifferences { get; init; } = true;
}

/// <summary>The cache right after a list: all of it, and whether it was the informer's first.</summary>
public sealed record InformerSync<T>(IReadOnlyList<T> Items, long Revision, bool First);

/// <summary>Why an informer is about to list again.</summary>
public enum InterruptionKind
{
    /// <summary>The server closed the stream (a restart, a watcher it had to drop).</summary>
    StreamEnded,
    /// <summary>The revision to resume from is no longer kept (410 Gone): only a list can catch up.</summary>
    RevisionGone,
    /// <summary>Neither an event nor a bookmark came for <see cref="InformerOptions.StallTimeout"/>.</summary>
    Stalled,
    /// <summary>The list or the watch failed (network, server, a frame that could not be read, a handler).</summary>
    Failed,
}

/// <summary>One break of an informer's list+watch, and the pause before it lists again.</summary>
public sealed record InformerInterruption(InterruptionKind Kind, Exception? Error, TimeSpan RetryIn)
{
    public string Reason => Kind switch
    {
        InterruptionKind.StreamEnded => "the watch stream ended",
        InterruptionKind.RevisionGone => "the watch revision is no longer kept by the server (410)",
        InterruptionKind.Stalled => "no event nor bookmark came in time",
        _ => Error?.Message ?? "failed",
    };
}
