using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Cli;

/// <summary>`chas rollout status`: follows one deployment through the watch stream until its rollout completes or fails.</summary>
internal static class RolloutWatch
{
    /// <summary>Where a rollout stands, as one line, and whether it is over: true complete, false failed, null still going.</summary>
    public static (string Line, bool? Outcome) Progress(DeploymentResource d)
    {
        var line = d.RolloutMessage ?? $"revision {d.Revision}: {d.ReadyReplicas}/{d.Replicas} ready";
        bool? outcome = d.RolloutStatus switch
        {
            // Right after `chas scale` up the controller has not yet looked again: "complete" with too few ready is stale.
            RolloutStates.Complete when d.ReadyReplicas >= d.Replicas => true,
            RolloutStates.Failed => false,
            _ => null,
        };
        return (line, outcome);
    }

    /// <summary>
    /// Prints each new progress line to <paramref name="output"/>; returns the final deployment when the
    /// rollout completes. A failed rollout, a removed deployment or the timeout end it with a <see cref="CliException"/>.
    /// </summary>
    public static async Task<DeploymentResource> FollowAsync(ChasClient client, DeploymentResource start, TimeSpan? timeout, TextWriter output, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(Durations.ForTimer(t));
        string? last = null;

        bool? Show(DeploymentResource d)
        {
            var (line, outcome) = Progress(d);
            if (line != last) output.WriteLine(line);
            last = line;
            return outcome switch
            {
                false => throw new CliException($"deployment '{d.Name}' rollout failed: {line}"),
                _ => outcome,
            };
        }

        try
        {
            var current = start;
            while (true)
            {
                if (Show(current) == true) return current;
                try
                {
                    await foreach (var ev in client.WatchDeploymentsAsync(current.ResourceVersion, deadline.Token))
                    {
                        if (ev.Object is not { } d || d.Name != start.Name || d.Namespace != start.Namespace) continue;
                        if (ev.Type == WatchEventTypes.Deleted) throw new CliException($"deployment '{start.Name}' was removed");
                        current = d;
                        if (Show(d) == true) return d;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or ChasApiException { Status: System.Net.HttpStatusCode.Gone })
                {
                    // The stream dropped or fell too far behind: read again, then watch from there.
                }
                current = await client.GetDeploymentAsync(start.Name, start.Namespace, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CliException($"deployment '{start.Name}' rollout not complete after {Durations.Humanize(timeout!.Value)}: {last}");
        }
    }
}
