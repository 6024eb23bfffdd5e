using Chas.Contracts;

namespace Chas.Agent.Probes;

/// <summary>
/// Runs one probe on its period and turns attempts into a healthy/unhealthy state with the
/// Kubernetes thresholds: failureThreshold failures in a row make it unhealthy, successThreshold
/// successes in a row healthy again. Reports only changes.
/// </summary>
internal sealed class ProbeRunner(ProbeSpec probe, Func<CancellationToken, Task<bool>> attempt, bool initiallyHealthy, TimeProvider time)
{
    public bool Healthy { get; private set; } = initiallyHealthy;

    /// <param name="onChange">Called with the new state whenever it flips.</param>
    public async Task RunAsync(Func<bool, Task> onChange, CancellationToken ct)
    {
        if (probe.InitialDelaySeconds > 0) await Task.Delay(TimeSpan.FromSeconds(probe.InitialDelaySeconds), time, ct);
        var successes = 0;
        var failures = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(probe.PeriodSeconds), time);
        do
        {
            if (await attempt(ct))
            {
                failures = 0;
                successes++;
                if (!Healthy && successes >= probe.SuccessThreshold)
                {
                    Healthy = true;
                    await onChange(true);
                }
            }
            else
            {
                successes = 0;
                failures++;
                if (Healthy && failures >= probe.FailureThreshold)
                {
                    Healthy = false;
                    await onChange(false);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }
}
