namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One `chas dev` for all the test classes whose tests do not disturb each other (unique task names,
/// no restarts, default timeouts): starting one costs seconds, and the machine has two cores.
/// </summary>
public sealed class SharedDevFixture : IAsyncLifetime
{
    private ChasDevProcess? _dev;

    public ChasDevProcess Dev => _dev ?? throw new InvalidOperationException("the shared chas dev did not start");

    public async Task InitializeAsync() => _dev = await ChasDevProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_dev is not null) await _dev.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedDevCollection : ICollectionFixture<SharedDevFixture>
{
    public const string Name = "shared chas dev";
}

/// <summary>Base of the test classes that run on the shared `chas dev`.</summary>
[Collection(SharedDevCollection.Name)]
public abstract class SharedDevTest : EndToEndTest
{
    protected SharedDevTest(SharedDevFixture fixture, ITestOutputHelper output) : base(output) => Dev = Use(fixture.Dev);

    protected ChasDevProcess Dev { get; }
}
