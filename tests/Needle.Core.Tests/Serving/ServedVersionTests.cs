using Needle.Functions;
using Needle.Runtime;
using Needle.Serving;

namespace Needle.Tests.Serving;

[TestClass]
public sealed class ServedVersionTests
{
    [TestMethod]
    public void Retire_WithNoRequestRunning_DisposesAtOnce()
    {
        var function = new CountingFunction();
        var served = new ServedVersion(function);

        served.Retire();

        Assert.AreEqual(1, function.Disposals);
        Assert.IsFalse(served.TryEnter());
    }

    [TestMethod]
    public void Retire_WithRequestsRunning_DisposesOnceWhenTheLastOneLeaves()
    {
        var function = new CountingFunction();
        var served = new ServedVersion(function);
        Assert.IsTrue(served.TryEnter());
        Assert.IsTrue(served.TryEnter());

        served.Retire();
        served.Exit();
        var afterFirst = function.Disposals;
        served.Exit();

        Assert.AreEqual(0, afterFirst);
        Assert.AreEqual(1, function.Disposals);
    }

    [TestMethod]
    public void EnterAndRetire_Racing_DisposeExactlyOnceAndNeverUnderARunningRequest()
    {
        for (var round = 0; round < 2_000; round++)
        {
            var function = new CountingFunction();
            var served = new ServedVersion(function);
            var violations = 0;

            Parallel.Invoke(
                () =>
                {
                    for (var i = 0; i < 50; i++)
                    {
                        if (served.TryEnter())
                        {
                            if (function.Disposals != 0)
                            {
                                Interlocked.Increment(ref violations);
                            }

                            served.Exit();
                        }
                    }
                },
                served.Retire);

            Assert.AreEqual(0, violations);
            Assert.AreEqual(1, function.Disposals);
        }
    }

    private sealed class CountingFunction : ILoadedFunction
    {
        private int _disposals;

        public int Disposals => Volatile.Read(ref _disposals);

        public FunctionVersion Version { get; } = new("f", 1, "", new FunctionManifest { Name = "f" }, "h", "t", DateTimeOffset.UnixEpoch, null);

        public ResolvedLimits Limits { get; } = ResolvedLimits.Resolve(null, new FunctionLimits());

        public Task<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context) => Task.FromResult(new FunctionResponse());

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposals);
            return ValueTask.CompletedTask;
        }
    }
}
