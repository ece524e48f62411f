using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Runtime;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class ActivationTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly RuntimeHarness _harness = new();

    private ActorRuntime Runtime => _harness.Runtime;

    private ActorProbe Probe => _harness.Probe;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task An_actor_is_activated_once_and_OnActivate_runs_before_the_first_call()
    {
        Assert.False(Runtime.IsActive(new ActorId("counter", "once")));

        var calls = Enumerable.Range(0, 50)
            .Select(_ => Runtime.InvokeAsync<CounterActor, long>("once", (a, ct) =>
            {
                Probe.Events.Enqueue("call:once");
                return a.IncrementAsync(ct);
            }))
            .ToList();
        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), results.Order());
        Assert.Equal(1, Probe.Activations("once"));
        Assert.Equal("activate:once", Probe.Events.First());
        Assert.Equal(51, Probe.Events.Count);
        Assert.True(Runtime.IsActive(new ActorId("counter", "once")));
        Assert.Equal(1, Runtime.ActiveCount);
    }

    [Fact]
    public async Task A_failed_activation_fails_the_call_and_the_next_call_retries()
    {
        Probe.FailNextActivations(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.InvokeAsync<FlakyActor, string>("f", (a, _) => a.PingAsync()));
        Assert.Equal("activation failed", error.Message);
        Assert.False(Runtime.IsActive(new ActorId("flaky", "f")));
        Assert.Equal(0, Runtime.ActiveCount);
        Assert.Equal(0, Probe.Activations("f"));

        Assert.Equal("pong", await Runtime.InvokeAsync<FlakyActor, string>("f", (a, _) => a.PingAsync()));
        Assert.Equal(1, Probe.Activations("f"));
        Assert.Equal(1, Runtime.ActiveCount);
    }

    [Fact]
    public async Task Calls_waiting_for_a_failed_activation_fail_with_it()
    {
        Probe.FailNextActivations(1);
        var calls = Enumerable.Range(0, 5).Select(_ => Runtime.InvokeAsync<FlakyActor, string>("g", (a, _) => a.PingAsync())).ToList();
        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        }

        Assert.Equal("pong", await Runtime.InvokeAsync<FlakyActor, string>("g", (a, _) => a.PingAsync()));
        Assert.Equal(1, Probe.Activations("g"));
    }

    [Fact]
    public async Task A_throwing_factory_fails_the_call_and_is_retried()
    {
        var attempts = 0;
        var registration = ActorRegistration.Create("broken", (_, context) =>
            Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("factory failed") : new PlainActor(context));
        await using var runtime = new ActorRuntime(new ActorRuntimeOptions(), new InMemoryActorStateStore(), new InMemoryReminderStore(), [registration]);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => runtime.InvokeAsync<PlainActor, string>("b", (a, _) => Task.FromResult(a.Context.Id.ToString())));
        Assert.Equal("broken:b", await runtime.InvokeAsync<PlainActor, string>("b", (a, _) => Task.FromResult(a.Context.Id.ToString())));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task The_context_gives_the_actor_its_identity_clock_and_client()
    {
        var (id, time, actors) = await Runtime.InvokeAsync<PlainActor, (ActorId, TimeProvider, IActorClient)>(
            "ctx", (a, _) => Task.FromResult((a.Context.Id, a.Context.TimeProvider, a.Context.Actors)));
        Assert.Equal(new ActorId("plain", "ctx"), id);
        Assert.Same(_harness.Time, time);
        Assert.Same(Runtime, actors);
    }

    [Fact]
    public void Registrations_must_be_unique()
    {
        var registrations = new[]
        {
            ActorRegistration.Create("same", (_, c) => new PlainActor(c)),
            ActorRegistration.Create("same", (_, c) => new WorkActor(c)),
        };
        Assert.Throws<ArgumentException>(
            () => new ActorRuntime(new ActorRuntimeOptions(), new InMemoryActorStateStore(), new InMemoryReminderStore(), registrations));
        Assert.Throws<ArgumentException>(() => ActorRegistration.Create("a:b", (_, c) => new PlainActor(c)));
    }
}
