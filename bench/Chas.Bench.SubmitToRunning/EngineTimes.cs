using System.Globalization;
using Docker.DotNet;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// The engine's own record of a container: when it made the container object (inspect's <c>Created</c>) and when
/// its process began (<c>State.StartedAt</c>). Read after a sample, untimed. The span between them is the engine's
/// work (the rest of create, then start) plus the caller's turn between its create and start calls; it splits
/// every sample into "the engine" and "everything around it".
/// </summary>
internal readonly record struct EngineTimes(DateTimeOffset Created, DateTimeOffset Started)
{
    public TimeSpan CreatedToStarted => Started - Created;

    public static async Task<EngineTimes> InspectAsync(IDockerClient docker, string containerId, CancellationToken ct)
    {
        var container = await docker.Containers.InspectContainerAsync(containerId, ct);
        var created = container.Created.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(container.Created, TimeSpan.Zero)
            : new DateTimeOffset(container.Created.ToUniversalTime(), TimeSpan.Zero);
        var started = DateTimeOffset.Parse(container.State.StartedAt, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return new EngineTimes(created, started);
    }
}
