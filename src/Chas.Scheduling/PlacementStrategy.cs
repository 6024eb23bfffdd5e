namespace Chas.Scheduling;

/// <summary>How to rank the nodes a request fits on (Nomad's spread vs binpack scheduler algorithms).</summary>
public enum PlacementStrategy
{
    /// <summary>Prefer the least allocated node, so one node's failure takes down as little as possible.</summary>
    Spread,
    /// <summary>Prefer the most allocated node that still fits, leaving whole nodes free for big requests.</summary>
    Binpack,
}
