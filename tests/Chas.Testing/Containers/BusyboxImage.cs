using Chas.Runtime.Docker;
using Chas.Runtime.Docker.Images;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The image every test task runs: a busybox root filesystem imported into the engine once per test
/// run, so the tests need no registry.
/// </summary>
public static class BusyboxImage
{
    public const string Reference = "chas-test/busybox:latest";

    private static readonly Lazy<Task> Import = new(ImportAsync);

    public static Task EnsureImportedAsync() => Import.Value;

    private static async Task ImportAsync()
    {
        var previous = await TryGetImageIdAsync();
        using (var tar = new MemoryStream())
        {
            RootfsImage.WriteBusyboxRootfsTar(tar);
            tar.Position = 0;
            await DockerEngine.Runtime.ImportRootfsAsync(tar, Reference, CancellationToken.None);
        }

        // Each import creates a new image and leaves the one it replaces untagged: remove that one unless a container still uses it.
        if (previous is not null && previous != await TryGetImageIdAsync())
        {
            using var client = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();
            try
            {
                await client.Images.DeleteImageAsync(previous, new ImageDeleteParameters(), CancellationToken.None);
            }
            catch (DockerApiException)
            {
                // In use or already gone: leave it.
            }
        }
    }

    private static async Task<string?> TryGetImageIdAsync()
    {
        using var client = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();
        try
        {
            var image = await client.Images.InspectImageAsync(Reference);
            return image.Comment == RootfsImage.ImportComment ? image.ID : null;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }
}
