using Chas.Runtime.Docker.Images;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Bench.SubmitToRunning;

/// <summary>The image both sides run: a busybox rootfs imported offline, since no registry is reachable.</summary>
internal static class BenchImage
{
    public static async Task ImportAsync(IDockerClient docker, string reference, CancellationToken ct)
    {
        var previous = await TryInspectAsync(docker, reference, ct);

        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;
        await RootfsImage.ImportAsync(docker, tar, reference, ct);

        // Every import makes a new image and leaves the previous one untagged; drop it unless something still uses it.
        if (previous is { Comment: RootfsImage.ImportComment } && (await TryInspectAsync(docker, reference, ct))?.ID != previous.ID)
        {
            try
            {
                await docker.Images.DeleteImageAsync(previous.ID, new ImageDeleteParameters(), ct);
            }
            catch (DockerApiException)
            {
                // In use by a container somewhere: leave it.
            }
        }
    }

    private static async Task<ImageInspectResponse?> TryInspectAsync(IDockerClient docker, string reference, CancellationToken ct)
    {
        try
        {
            return await docker.Images.InspectImageAsync(reference, ct);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }
}
