using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Chas.Agent.TaskRunner;
using Chas.Agent.TaskRunner.Hooks;
using Chas.Client;
using Chas.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Agent.Tests;

/// <summary>The task runner's hooks alone, over the fake engine and a server that only records what it is told.</summary>
public sealed class TaskHookTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly RecordingServer _server = new();
    private readonly FakeContainerRuntime _runtime = new();
    private readonly ChasClient _client;
    private readonly StatusReporter _reporter;

    public TaskHookTests()
    {
        _client = new ChasClient(new Uri("http://127.0.0.1:1/"), "token", _server);
        _reporter = new StatusReporter(_client, "n1", NullLogger.Instance);
    }

    public void Dispose() => _client.Dispose();

    private static AgentOptions Options(TimeSpan? drain = null) => new()
    {
        Server = new Uri("http://127.0.0.1:1/"),
        Token = "token",
        NodeName = "n1",
        Address = "127.0.0.1",
        StopGracePeriod = TimeSpan.FromSeconds(1),
        DrainDelay = drain ?? TimeSpan.FromSeconds(2),
    };

    private static TaskResource NewTask(string name = "web") => new()
    {
        Name = name,
        Uid = $"uid-{name}",
        Image = "busybox:latest",
        Node = "n1",
        Status = TaskPhase.Scheduled,
    };

    [Fact]
    public async Task Prestart_and_poststart_run_in_order_pre_kill_and_exited_in_reverse()
    {
        var steps = new ConcurrentQueue<string>();
        ITaskHook[] hooks = [new RecordingHook("a", steps), new RecordingHook("b", steps), new RecordingHook("c", steps)];
        var task = NewTask();
        var run = new TaskRun(task, _runtime, _reporter, Options(), cluster: null, TimeProvider.System, NullLogger.Instance, hooks);
        run.Start();
        try
        {
            await WaitUntilAsync(() => steps.Contains("c poststart"), "poststart of the last hook");
            run.Update(task with { Status = TaskPhase.Running, StopRequested = true });
            await WaitUntilAsync(() => steps.Contains("a exited"), "exited of the first hook");

            Assert.Equal(
                ["a prestart", "b prestart", "c prestart", "a poststart", "b poststart", "c poststart",
                 "c pre-kill", "b pre-kill", "a pre-kill", "c exited", "b exited", "a exited"],
                steps.ToArray());
            await WaitUntilAsync(() => _server.Reports.Any(r => r.Status == TaskPhase.Stopped), "stopped reported");
        }
        finally
        {
            await run.CancelAsync();
        }
    }

    [Fact]
    public async Task A_hook_fills_in_the_spec_before_create()
    {
        var task = NewTask() with { PublishedPorts = [new PublishedPort { ContainerPort = 80, HostPort = 20001 }] };
        var run = new TaskRun(task, _runtime, _reporter, Options(), cluster: null, TimeProvider.System, NullLogger.Instance);
        run.Start();
        try
        {
            await WaitUntilAsync(() => _runtime.Containers.Count > 0, "container created");
            var spec = _runtime.Containers.Single().Spec!;
            Assert.Equal([new Chas.Runtime.PortBinding(80, 20001, "127.0.0.1")], spec.Ports);
            Assert.Empty(spec.Mounts);
            Assert.Equal(Chas.Runtime.NetworkAttachment.Default, spec.Network);
        }
        finally
        {
            await run.CancelAsync();
        }
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_task_without_a_container()
    {
        var task = NewTask();
        _runtime.MissingImages.Add(task.Image);
        var run = new TaskRun(task, _runtime, _reporter, Options(), cluster: null, TimeProvider.System, NullLogger.Instance);
        run.Start();
        try
        {
            await WaitUntilAsync(() => _server.Reports.Any(r => r.Status == TaskPhase.Failed), "failed reported");

            var failed = _server.Reports.Single(r => r.Status == TaskPhase.Failed);
            Assert.Contains("could not be pulled", failed.Error);
            Assert.Empty(_runtime.Containers);
        }
        finally
        {
            await run.CancelAsync();
        }
    }

    [Fact]
    public async Task The_drain_hook_waits_the_drain_delay_on_the_clock_for_exposed_instances()
    {
        var time = new FakeTimeProvider();
        var exposed = NewTask() with
        {
            Status = TaskPhase.Running,
            Deployment = "web",
            PublishedPorts = [new PublishedPort { ContainerPort = 80, HostPort = 20001 }],
        };
        using var context = new TaskContext(exposed, _runtime, _reporter, Options(TimeSpan.FromSeconds(5)), time, NullLogger.Instance);

        var drain = new DrainHook().PreKillAsync(context, CancellationToken.None);

        Assert.False(drain.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(drain.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await drain.WaitAsync(Deadline);
    }

    [Fact]
    public void The_drain_hook_does_not_wait_for_a_task_outside_the_ingress()
    {
        var time = new FakeTimeProvider();
        using var context = new TaskContext(NewTask() with { Status = TaskPhase.Running }, _runtime, _reporter, Options(TimeSpan.FromSeconds(5)), time, NullLogger.Instance);

        Assert.True(new DrainHook().PreKillAsync(context, CancellationToken.None).IsCompleted);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await System.Threading.Tasks.Task.Delay(20);
        }
    }

    private sealed class RecordingHook(string name, ConcurrentQueue<string> steps) : ITaskHook
    {
        public string Name => name;

        public Task PrestartAsync(TaskContext context, CancellationToken ct) => Record("prestart");
        public Task PoststartAsync(TaskContext context, CancellationToken ct) => Record("poststart");
        public Task PreKillAsync(TaskContext context, CancellationToken ct) => Record("pre-kill");
        public Task ExitedAsync(TaskContext context, CancellationToken ct) => Record("exited");

        private Task Record(string step)
        {
            steps.Enqueue($"{name} {step}");
            return System.Threading.Tasks.Task.CompletedTask;
        }
    }

    /// <summary>Answers every call with an empty object and keeps the status reports it was sent.</summary>
    private sealed class RecordingServer : HttpMessageHandler
    {
        public ConcurrentQueue<TaskStatusReport> Reports { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal) && request.Content is not null)
            {
                var body = await request.Content.ReadAsStringAsync(cancellationToken);
                Reports.Enqueue(JsonSerializer.Deserialize(body, ChasJsonContext.Default.TaskStatusReport)!);
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        }
    }
}
