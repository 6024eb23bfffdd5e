using System.Globalization;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// In which order the two series are sampled. By default the issue's: warm-up and all bare-Docker samples, then
/// warm-up and all CHaS samples. With <see cref="BenchOptions.Interleave"/> one of each in turn, so that the
/// engine's slow drift (background cleanup of earlier containers, page cache, a noisy neighbour) hits both alike.
/// </summary>
internal sealed class SampleOrder(BenchOptions options, DockerBaseline docker, ChasSubmissions chas, Action<string> progress)
{
    public async Task<(IReadOnlyList<BaselineSample> Docker, IReadOnlyList<ChasSample> Chas)> RunAsync(CancellationToken ct)
    {
        var dockerSamples = new List<BaselineSample>(options.Samples);
        var chasSamples = new List<ChasSample>(options.Samples);
        var rounds = options.Warmup + options.Samples;
        if (options.Interleave)
        {
            progress("bare docker and chas in turn");
            for (var i = 0; i < rounds; i++)
            {
                await SampleDockerAsync(i, dockerSamples, ct);
                await SampleChasAsync(i, chasSamples, ct);
            }
            return (dockerSamples, chasSamples);
        }

        progress("bare docker: create + start through the Engine API");
        for (var i = 0; i < rounds; i++) await SampleDockerAsync(i, dockerSamples, ct);
        // Leave the engine as empty for the CHaS series as it was for this one.
        await docker.RemoveAllAsync(ct);

        progress("chas: POST /api/v1/tasks until the watcher sees 'running'");
        for (var i = 0; i < rounds; i++) await SampleChasAsync(i, chasSamples, ct);
        return (dockerSamples, chasSamples);
    }

    private async Task SampleDockerAsync(int round, List<BaselineSample> measured, CancellationToken ct)
    {
        var s = await docker.SampleAsync(ct);
        if (round < options.Warmup) return;
        measured.Add(s);
        if (options.Verbose)
            progress($"  docker {measured.Count,3}: {Ms(s.Total)} ms (before engine {Ms(s.BeforeEngine)}, engine {Ms(s.Engine)}, after {Ms(s.AfterEngine)})");
    }

    private async Task SampleChasAsync(int round, List<ChasSample> measured, CancellationToken ct)
    {
        var warmup = round < options.Warmup;
        var s = await chas.SampleAsync(warmup ? $"warmup-{round}" : $"bench-{round - options.Warmup:D3}", ct);
        if (warmup) return;
        measured.Add(s);
        if (options.Verbose)
        {
            progress($"  chas   {measured.Count,3}: {Ms(s.Total)} ms (api {Ms(s.ToStored)}, scheduler {Ms(s.Scheduling)}, agent {Ms(s.AgentToCreate)}, " +
                $"engine {Ms(s.Engine)}, agent {Ms(s.AgentAfterStart)}, report+watch {Ms(s.Reporting)})");
        }
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
