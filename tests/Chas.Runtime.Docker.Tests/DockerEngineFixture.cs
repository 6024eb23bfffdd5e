using Chas.Runtime.Docker.Images;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Chas.Runtime.Docker.Tests;

/// <summary>
/// The real engine, a runtime on it, and the busybox image imported through <see cref="RootfsImage"/>.
/// Used as a class fixture so test classes run in parallel; the import itself happens once per test run.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public const string BusyboxImage = "chas-test/busybox:latest";

    private static readonly Lazy<Task> SharedImport = new(ImportBusyboxAsync);

    public DockerContainerRuntime Runtime { get; } = new(Options.Create(new DockerRuntimeOptions()));

    /// <summary>A raw client, for looking at what the runtime asked the engine for (HostConfig and the like).</summary>
    public DockerClient Client { get; } = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();

    public Task InitializeAsync() => SharedImport.Value;

    public Task DisposeAsync()
    {
        Runtime.Dispose();
        Client.Dispose();
        return Task.CompletedTask;
    }

    private static async Task ImportBusyboxAsync()
    {
        using var client = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();
        var previous = await TryInspectImageAsync(client, BusyboxImage);

        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;
        await RootfsImage.ImportAsync(client, tar, BusyboxImage, CancellationToken.None);

        // Each import makes a new image (its config carries the creation time) and leaves the previous one
        // untagged. Remove that one when an earlier run of this fixture made it and nothing uses it any more.
        if (previous is { Comment: RootfsImage.ImportComment } && (await TryInspectImageAsync(client, BusyboxImage))?.ID != previous.ID)
        {
            try
            {
                await client.Images.DeleteImageAsync(previous.ID, new ImageDeleteParameters(), CancellationToken.None);
            }
            catch (DockerApiException)
            {
                // Still used by a container somewhere: leave it.
            }
        }
    }

    private static async Task<ImageInspectResponse?> TryInspectImageAsync(DockerClient client, string image)
    {
        try
        {
            return await client.Images.InspectImageAsync(image);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }
}
