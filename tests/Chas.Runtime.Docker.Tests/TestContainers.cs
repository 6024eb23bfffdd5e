namespace Chas.Runtime.Docker.Tests;

/// <summary>
/// Unique names and a unique label for one test, and removal of everything carrying that label at the end,
/// so tests can run in parallel with each other (and with other users of the engine) and leave nothing behind.
/// </summary>
public sealed class TestContainers(IContainerRuntime runtime) : IAsyncDisposable
{
    public const string RunLabel = "chas.test.run";

    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    public IReadOnlyDictionary<string, string> Labels => new Dictionary<string, string> { [RunLabel] = RunId };

    public string Name(string suffix) => $"chas-test-{RunId}-{suffix}";

    public ContainerSpec Spec(string suffix, params string[] command) => new()
    {
        Name = Name(suffix),
        Image = DockerEngineFixture.BusyboxImage,
        Command = command,
        Labels = Labels,
    };

    public async Task<string> StartAsync(ContainerSpec spec)
    {
        var id = await runtime.CreateAsync(spec, CancellationToken.None);
        await runtime.StartAsync(id, CancellationToken.None);
        return id;
    }

    /// <summary>Starts the container and waits for it, bounded so a hung container fails the test instead of the run.</summary>
    public async Task<(string Id, ContainerExit Exit)> RunToCompletionAsync(ContainerSpec spec)
    {
        var id = await StartAsync(spec);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return (id, await runtime.WaitAsync(id, deadline.Token));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in await runtime.ListAsync(Labels, CancellationToken.None))
        {
            await runtime.RemoveAsync(container.Id, force: true, CancellationToken.None);
        }
    }
}
