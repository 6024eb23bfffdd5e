using Chas.Runtime.Docker.Images;
using Docker.DotNet;
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
    public DockerClient Client { get; } = CreateClient();

    public Task InitializeAsync() => SharedImport.Value;

    public Task DisposeAsync()
    {
        Runtime.Dispose();
        Client.Dispose();
        return Task.CompletedTask;
    }

    public static DockerClient CreateClient() =>
        new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();

    private static async Task ImportBusyboxAsync()
    {
        using var client = CreateClient();
        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;
        await RootfsImage.ImportAsync(client, tar, BusyboxImage, CancellationToken.None);
    }
}
