using System.Collections.Frozen;
using Microsoft.CodeAnalysis;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Which APIs a C# function may use. A symbol is allowed when its namespace is on the allow-list (the BCL parts a
/// BFF needs, Needle's function API, and what the host added) and no specific rule refuses its type or member.
/// Some namespaces are allowed only for a few types (<c>System.IO</c>: in-memory streams and text readers/writers;
/// <c>System.Diagnostics</c>: <c>Stopwatch</c>; <c>System.Net</c>: <c>WebUtility</c> and <c>HttpStatusCode</c>).
/// The return type of every member used is checked too, so nothing outside the list is reached through an allowed
/// member (<c>exception.TargetSite</c> returns reflection's <c>MethodBase</c>).
/// </summary>
/// <remarks>A guard rail for trusted code, not a sandbox: it keeps honest code from reaching outside its context by accident.</remarks>
internal sealed class CSharpApiPolicy
{
    /// <summary>Namespaces allowed whole (subject to the type and member rules below).</summary>
    public static readonly IReadOnlyList<string> FixedNamespaces =
    [
        "System", "System.Buffers", "System.Buffers.Binary", "System.Buffers.Text",
        "System.Collections", "System.Collections.Generic", "System.Collections.Concurrent", "System.Collections.Frozen",
        "System.Collections.Immutable", "System.Collections.ObjectModel", "System.Diagnostics.CodeAnalysis",
        "System.Globalization", "System.Linq", "System.Numerics", "System.Runtime.CompilerServices",
        "System.Security.Cryptography", "System.Text", "System.Text.Encodings.Web", "System.Text.Json",
        "System.Text.Json.Nodes", "System.Text.Json.Serialization", "System.Text.RegularExpressions", "System.Text.Unicode",
        "System.Threading", "System.Threading.Tasks", "System.Web",
        "Needle.Functions", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Primitives",
    ];

    // Namespaces of which only some types are allowed.
    private const string OutlivesTheCall = "scheduling work that outlives the call (await the work inside the call instead)";
    private const string ThreadPoolLoops = "parallel work on the host's thread pool (it starves the host's requests)";
    private const string AsyncVoid = "async void (an exception after its first await ends the process)";
    private const string DebugAndTrace = "Debug and Trace (Debug.Fail and a failed Assert end the process when DEBUG or TRACE is defined; log with context.Log)";
    private const string SharedPool = "a process-wide pool (a rented buffer holds other functions' data, and one returned late corrupts them); use new byte[n] or ArrayPool<T>.Create()";

    private static readonly FrozenDictionary<string, FrozenSet<string>> PartialNamespaces = new Dictionary<string, FrozenSet<string>>
    {
        ["System.IO"] = Set("Stream", "MemoryStream", "StringReader", "StringWriter", "TextReader", "TextWriter", "SeekOrigin", "IOException", "EndOfStreamException", "InvalidDataException", "BinaryReader", "BinaryWriter"),
        ["System.Diagnostics"] = Set("Stopwatch", "ConditionalAttribute", "UnreachableException", "DebuggerDisplayAttribute", "DebuggerStepThroughAttribute", "DebuggerHiddenAttribute"),
        ["System.Net"] = Set("WebUtility", "HttpStatusCode"),
        ["Needle.Runtime"] = Set("FunctionRequest", "FunctionResponse"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Types refused inside allowed namespaces, with the reason.
    private static readonly FrozenDictionary<string, string> DeniedTypes = new Dictionary<string, string>
    {
        ["System.AppDomain"] = "application domain access",
        ["System.AppContext"] = "process-wide switches and data",
        ["System.GC"] = "garbage collector control",
        ["System.Console"] = "console access",
        ["System.Activator"] = "reflection (creating objects from types)",
        ["System.RuntimeTypeHandle"] = "reflection",
        ["System.RuntimeMethodHandle"] = "reflection",
        ["System.RuntimeFieldHandle"] = "reflection",
        ["System.ModuleHandle"] = "reflection",
        ["System.TypedReference"] = "unsafe code",
        ["System.ArgIterator"] = "unsafe code",
        ["System.Threading.Thread"] = "thread creation",
        ["System.Threading.ThreadPool"] = "thread creation",
        ["System.Threading.Timer"] = "timers (work that outlives the call)",
        ["System.Threading.RegisteredWaitHandle"] = "thread creation",
        ["System.Threading.ThreadPoolBoundHandle"] = "thread creation",
        ["System.Threading.Mutex"] = "named system objects",
        ["System.Threading.Semaphore"] = "named system objects",
        ["System.Threading.EventWaitHandle"] = "named system objects",
        ["System.Runtime.CompilerServices.Unsafe"] = "unsafe code",
        ["System.Runtime.CompilerServices.RuntimeHelpers"] = "runtime internals",
        ["System.Runtime.CompilerServices.UnsafeAccessorAttribute"] = "access to private members",
        ["System.Runtime.CompilerServices.UnsafeAccessorTypeAttribute"] = "access to private members",
        ["System.Runtime.CompilerServices.ModuleInitializerAttribute"] = "code that runs at load",
        ["System.Runtime.CompilerServices.AsyncVoidMethodBuilder"] = AsyncVoid,
        ["System.Runtime.CompilerServices.InlineArrayAttribute"] = "inline arrays (a large one as a local overflows the thread's stack, which ends the process); use an array",
        ["System.Runtime.CompilerServices.ContractHelper"] = "a contract failure ends the process",
        ["System.Diagnostics.Debug"] = DebugAndTrace,
        ["System.Diagnostics.Trace"] = DebugAndTrace,
        ["System.Diagnostics.Debugger"] = "debugger access (Debugger.Break and Launch stop or end the process)",
        ["System.Threading.Tasks.TaskFactory"] = OutlivesTheCall,
        ["System.Threading.Tasks.TaskFactory`1"] = OutlivesTheCall,
        ["System.Threading.Tasks.TaskScheduler"] = OutlivesTheCall + ", and its events are process-wide",
        ["System.Threading.Tasks.ConcurrentExclusiveSchedulerPair"] = OutlivesTheCall,
        ["System.Threading.Tasks.Parallel"] = ThreadPoolLoops,
        ["System.Linq.ParallelEnumerable"] = ThreadPoolLoops,
        ["System.Linq.ParallelQuery"] = ThreadPoolLoops,
        ["System.Linq.ParallelQuery`1"] = ThreadPoolLoops,
        ["System.Linq.OrderedParallelQuery`1"] = ThreadPoolLoops,
        ["System.Threading.PeriodicTimer"] = "timers (work that outlives the call)",
        ["System.Threading.SynchronizationContext"] = OutlivesTheCall + " (Post queues to the thread pool)",
        ["System.Threading.ExecutionContext"] = "the flow of the host's execution context",
        ["System.Security.Cryptography.CryptoConfig"] = "process-wide algorithm registrations",
        ["Microsoft.Extensions.Primitives.ChangeToken"] = "callbacks that outlive the call",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Types whose members are allowed only when listed (the type itself may be named).
    private static readonly FrozenDictionary<string, (FrozenSet<string> Allowed, string Reason)> FilteredMembers = new Dictionary<string, (FrozenSet<string>, string)>
    {
        ["System.Environment"] = (Set("NewLine", "TickCount", "TickCount64", "ProcessorCount", "CurrentManagedThreadId"), "environment access and exit"),
        ["System.Type"] = (Set(
            "Name", "FullName", "Namespace", "ToString", "Equals", "GetHashCode", "IsAssignableFrom", "IsAssignableTo", "IsInstanceOfType",
            "IsValueType", "IsClass", "IsInterface", "IsEnum", "IsArray", "IsGenericType", "IsAbstract", "IsSealed", "IsPrimitive",
            "BaseType", "GetGenericArguments", "GetGenericTypeDefinition", "GetElementType", "op_Equality", "op_Inequality"), "reflection"),
        ["System.Reflection.MemberInfo"] = (Set("Name"), "reflection"),
        ["System.Delegate"] = (Set("Combine", "Remove", "RemoveAll", "Equals", "GetHashCode", "op_Equality", "op_Inequality", "GetInvocationList"), "reflection"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> NamespaceReasons = new Dictionary<string, string>
    {
        ["System.IO"] = "file and directory access",
        ["System.Diagnostics"] = "process and debugger access",
        ["System.Reflection"] = "reflection, reflection emit and assembly loading",
        ["System.Runtime.Loader"] = "assembly loading",
        ["System.Runtime.InteropServices"] = "P/Invoke and Marshal",
        ["System.Runtime"] = "runtime internals",
        ["System.Net"] = "network access (use context.FetchAsync)",
        ["System.Threading"] = "thread creation",
        ["System.Timers"] = "timers (work that outlives the call)",
        ["System.Security"] = "security APIs",
        ["Microsoft.Win32"] = "the registry and native handles",
        ["Needle"] = "Needle's host internals",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenSet<string> _namespaces;

    public CSharpApiPolicy(IEnumerable<string> extraNamespaces)
    {
        _namespaces = FixedNamespaces.Concat(extraNamespaces).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Why <paramref name="type"/> is refused, or <see langword="null"/> when it is allowed.</summary>
    public string? CheckType(ITypeSymbol? type, IAssemblySymbol own)
    {
        switch (type)
        {
            case null or ITypeParameterSymbol or IErrorTypeSymbol:
                return null;
            case IDynamicTypeSymbol:
                return "dynamic (late binding)";
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return "unsafe code (pointers)";
            case IArrayTypeSymbol array:
                return CheckType(array.ElementType, own);
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    if (CheckType(argument, own) is { } reason)
                    {
                        return reason;
                    }
                }

                if (named.IsAnonymousType || named.IsTupleType || SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, own))
                {
                    return null;
                }

                var outermost = named.OriginalDefinition;
                while (outermost.ContainingType is { } containing)
                {
                    outermost = containing;
                }

                var ns = outermost.ContainingNamespace?.ToDisplayString() ?? "";
                var fullName = ns.Length == 0 ? outermost.MetadataName : ns + "." + outermost.MetadataName;
                if (DeniedTypes.TryGetValue(fullName, out var denied))
                {
                    return denied;
                }

                if (_namespaces.Contains(ns))
                {
                    return null;
                }

                if (PartialNamespaces.TryGetValue(ns, out var types) && types.Contains(outermost.MetadataName))
                {
                    return null;
                }

                return ReasonFor(ns);
            default:
                return null;
        }
    }

    /// <summary>Why a member (method, property, field, event) is refused, or <see langword="null"/>.</summary>
    public string? CheckMember(ISymbol member, IAssemblySymbol own)
    {
        if (SymbolEqualityComparer.Default.Equals(member.ContainingAssembly, own))
        {
            return null;
        }

        if (member is IMethodSymbol { ReducedFrom: { } reduced })
        {
            member = reduced;
        }

        var containing = member.ContainingType?.OriginalDefinition;
        var typeName = containing is null ? "" : containing.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
        if (IsDeniedMember(member, typeName) is { } memberReason)
        {
            return memberReason;
        }

        if (FilteredMembers.TryGetValue(typeName, out var filter))
        {
            return filter.Allowed.Contains(member.Name) ? CheckReturnType(member, own) : filter.Reason;
        }

        return CheckType(containing, own) ?? CheckReturnType(member, own);
    }

    private string? CheckReturnType(ISymbol member, IAssemblySymbol own) => member switch
    {
        IMethodSymbol method => CheckType(method.ReturnType, own) ?? method.TypeArguments.Select(t => CheckType(t, own)).FirstOrDefault(r => r is not null),
        IPropertySymbol property => CheckType(property.Type, own),
        IFieldSymbol field => CheckType(field.Type, own),
        IEventSymbol e => CheckType(e.Type, own),
        _ => null,
    };

    private static string? IsDeniedMember(ISymbol member, string typeName)
    {
        switch (typeName)
        {
            case "System.Globalization.CultureInfo" when member.Name is "DefaultThreadCurrentCulture" or "DefaultThreadCurrentUICulture":
                return "process-wide culture";
            case "System.Threading.Tasks.TaskCreationOptions" or "System.Threading.Tasks.TaskContinuationOptions" when member.Name == "LongRunning":
                return "thread creation";
            // Task<T> displays as Task without its generics: one rule for both.
            case "System.Threading.Tasks.Task" when member.Name is "Run" or "Factory" or "ContinueWith" or "Start" or "RunSynchronously" or WellKnownMemberNames.InstanceConstructorName:
                return OutlivesTheCall;
            case "System.Buffers.ArrayPool" or "System.Buffers.MemoryPool" when member.Name == "Shared":
                return SharedPool;
            case "System.Text.Encoding" when member.Name == "RegisterProvider":
                return "a process-wide registration (every later charset lookup of the host sees it)";
            case "System.Text.RegularExpressions.Regex" when member.Name == "CacheSize":
                return "a process-wide setting";
            case "System.TimeProvider" when member.Name == "CreateTimer":
                return "timers (work that outlives the call)";
            default:
                break;
        }

        // Awaiters' OnCompleted schedules a callback that runs whenever the awaited work ends, after the call if need be
        // (YieldAwaiter's queues to the thread pool at once); 'await' itself never calls them through the function's code.
        if (member.Name is "OnCompleted" or "UnsafeOnCompleted" && member.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices")
        {
            return OutlivesTheCall;
        }

        // The asynchronous programming model (Begin*/End* with a callback) runs the callback on the thread pool.
        if (member is IMethodSymbol method && method.Parameters.Any(p => p.Type is { Name: "AsyncCallback", ContainingNamespace.Name: "System" }))
        {
            return "callbacks that outlive the call (use the Task-returning method and await it)";
        }

        return null;
    }

    /// <summary>Whether <paramref name="type"/> carries JSON serializer metadata (options, type info or a context).</summary>
    public static bool IsJsonMetadata(ITypeSymbol? type) => type is not null &&
        type.Name is "JsonSerializerOptions" or "JsonTypeInfo" or "JsonSerializerContext"
        && type.ContainingNamespace?.ToDisplayString() is "System.Text.Json" or "System.Text.Json.Serialization" or "System.Text.Json.Serialization.Metadata";

    private static string ReasonFor(string ns)
    {
        for (var prefix = ns; prefix.Length > 0; prefix = prefix.LastIndexOf('.') is var dot and > 0 ? prefix[..dot] : "")
        {
            if (NamespaceReasons.TryGetValue(prefix, out var reason))
            {
                return reason;
            }
        }

        return "outside the function API allow-list";
    }

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
