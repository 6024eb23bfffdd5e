using System.Collections.Concurrent;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// Docker 20.10 on cgroup v1 misses OOM kills in the first few hundred milliseconds after a start (containerd starts
/// watching the cgroup's OOM events only once the process runs): OOMKilled then stays false and only the exit code
/// 137 (SIGKILL) is left. The Engine API offers nothing better (no cgroup failcnt, no event for it), so this guesses:
/// a SIGKILL exit of a memory-limited container is an OOM kill unless this runtime instance was asked to stop it or
/// to remove it by force since it last started. Every container this runtime creates is memory-limited (a task that
/// asked for no limit gets <see cref="DockerRuntimeOptions.DefaultMemoryBytes"/>), so the guess covers all of them;
/// the unlimited case is left for containers made some other way.
/// <para>
/// It errs towards OOM. <see cref="DockerContainerRuntime"/> asks the engine's event log before it trusts the guess:
/// a kill sent through the API by someone else (docker kill, another client's stop) is logged there and so reads as
/// a plain SIGKILL. What remains misread: a SIGKILL sent to the process directly (kill -9 on the host), a process
/// that exits with 137 itself, and a container already dead from a missed OOM when our own stop came (stopped).
/// Telling users "out of memory" for a limited container killed by someone else is the cheaper mistake.
/// </para>
/// </summary>
internal sealed class MissedOomKillDetector
{
    /// <summary>128 + SIGKILL: how a container ends when the OOM killer, a stop's grace period or a kill ends it.</summary>
    public const long SigkillExitCode = 137;

    // Keyed by the id as callers pass it, which for the agent is always the one CreateAsync returned.
    private readonly ConcurrentDictionary<string, byte> _stopsRequested = new(StringComparer.Ordinal);

    /// <summary>Call before asking the engine to stop or force-remove, so any exit it causes finds the mark.</summary>
    public void StopRequested(string containerId) => _stopsRequested[containerId] = 0;

    /// <summary>A new run: a stop asked for during the previous one says nothing about how this one ends.</summary>
    public void Started(string containerId) => _stopsRequested.TryRemove(containerId, out _);

    /// <summary>Gone: nothing is left to wait for, and forgetting it keeps the set as small as the node's containers.</summary>
    public void Removed(string containerId) => _stopsRequested.TryRemove(containerId, out _);

    /// <summary>
    /// Call right after the wait returns and before inspecting the container. Marks are set before the kill they
    /// explain, so a kill of ours is always seen; a mark cleared by a removal means the inspect will find nothing.
    /// </summary>
    public bool WasStopRequested(string containerId) => _stopsRequested.ContainsKey(containerId);

    /// <param name="container">The inspected container after its exit; null when it was removed meanwhile.</param>
    public static bool IsMissedOomKill(long exitCode, ContainerInspectResponse? container, bool stopRequested) =>
        exitCode == SigkillExitCode
        && container?.HostConfig?.Memory > 0
        && container.State?.OOMKilled != true
        && !stopRequested;
}
