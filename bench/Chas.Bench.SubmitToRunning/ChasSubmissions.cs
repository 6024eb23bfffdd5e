using Chas.Client;
using Chas.Contracts;
using Docker.DotNet;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// One CHaS sample. <see cref="Total"/> is the benchmark's number: from before the POST until the watcher saw the
/// task running. The parts split it by the server's, the agent's and the engine's own timestamps (one machine,
/// one clock) and add up to it:
/// request → <c>CreatedAt</c> (API) → <c>ScheduledAt</c> (scheduler pass) → engine <c>Created</c> (agent: watch,
/// list, image check, create call) → engine <c>StartedAt</c> (the engine) → <c>StartedAt</c> (the start call
/// returns to the agent) → seen running (status report, store commit, watch to this client).
/// </summary>
internal sealed record ChasSample(
    TimeSpan Total, TimeSpan ToStored, TimeSpan Scheduling, TimeSpan AgentToCreate, TimeSpan Engine,
    TimeSpan AgentAfterStart, TimeSpan Reporting, TimeSpan PostAnswered)
{
    public TimeSpan OutsideEngine => Total - Engine;
}

/// <summary>Submits tasks through the API one at a time and times each until the watcher sees it running.</summary>
internal sealed class ChasSubmissions(ChasClient client, TaskWatcher watcher, IDockerClient docker, TimeProvider time)
{
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _submitted = [];

    /// <summary>`chas run`: POST the task, then wait for the watcher to see it running.</summary>
    public async Task<ChasSample> SampleAsync(string name, CancellationToken ct)
    {
        var progress = watcher.Expect(name);
        var request = new CreateTaskRequest { Name = name, Image = BenchOptions.Image, Command = BenchOptions.Command };

        var wallStart = time.GetUtcNow();
        var t0 = time.GetTimestamp();
        await client.CreateTaskAsync(request, ct);
        var posted = time.GetElapsedTime(t0);
        _submitted.Add(name);

        TaskResource running;
        try
        {
            running = await progress.Running.WaitAsync(SampleTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"task '{name}' was not seen running within {SampleTimeout.TotalSeconds:0}s");
        }
        var total = time.GetElapsedTime(t0, progress.RunningSeenAt!.Value);

        var engine = await EngineTimes.InspectAsync(docker, running.ContainerId!, ct);
        var scheduled = running.ScheduledAt ?? running.CreatedAt;
        var started = running.StartedAt ?? engine.Started;
        return new ChasSample(
            total,
            ToStored: running.CreatedAt - wallStart,
            Scheduling: scheduled - running.CreatedAt,
            AgentToCreate: engine.Created - scheduled,
            Engine: engine.CreatedToStarted,
            AgentAfterStart: started - engine.Started,
            Reporting: wallStart + total - started,
            PostAnswered: posted);
    }

    /// <summary>`chas rm -f` for every task this run submitted; the agent removes their containers.</summary>
    public async Task DeleteAllAsync(CancellationToken ct)
    {
        foreach (var name in _submitted)
        {
            try
            {
                await client.DeleteTaskAsync(name, force: true, ct: ct);
            }
            catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
            {
            }
        }
        _submitted.Clear();
    }
}
