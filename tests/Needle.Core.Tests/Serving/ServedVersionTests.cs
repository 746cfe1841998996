using Needle.Functions;
using Needle.Runtime;
using Needle.Serving;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Serving;

[TestClass]
public sealed class ServedVersionTests
{
    [TestMethod]
    public void Retire_WithNoRequestRunning_DisposesAtOnce()
    {
        var function = new StubFunction("f", 1);
        var served = new ServedVersion(function);

        served.Retire();

        Assert.AreEqual(1, function.Disposals);
        Assert.IsFalse(served.TryEnter());
    }

    [TestMethod]
    public void Retire_WithRequestsRunning_DisposesOnceWhenTheLastOneLeaves()
    {
        var function = new StubFunction("f", 1);
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
            var function = new StubFunction("f", 1);
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
}
