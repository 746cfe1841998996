using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Checks a compiled image's metadata for what must never load, whatever source it claims to come from: a module
/// initialiser (a static constructor of <c>&lt;Module&gt;</c>), types in the framework's or Needle's namespaces,
/// finalizers and P/Invoke methods. Every image is checked after it is compiled and again when it is read from the store.
/// </summary>
internal static class CSharpImageCheck
{
    /// <summary>What is wrong with <paramref name="image"/>; empty when nothing is.</summary>
    /// <exception cref="BadImageFormatException">The bytes are not a PE image with metadata.</exception>
    public static IReadOnlyList<string> Problems(byte[] image)
    {
        var problems = new List<string>();
        using var pe = new PEReader(new MemoryStream(image, writable: false));
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException("The image has no metadata.");
        }

        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            var name = metadata.GetString(type.Name);
            var ns = metadata.GetString(type.Namespace);
            var isModule = name == "<Module>" && ns.Length == 0;
            if (isModule && type.GetMethods().Count > 0)
            {
                problems.Add("The image has a module initializer (code that runs when it loads, outside any call).");
            }

            if (!isModule && type.GetDeclaringType().IsNil && CSharpContainment.IsReservedNamespace(ns))
            {
                problems.Add($"The image declares '{ns}.{name}' in a namespace of the framework or of Needle.");
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = metadata.GetMethodDefinition(methodHandle);
                var methodName = metadata.GetString(method.Name);
                if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
                {
                    problems.Add($"The image has a P/Invoke method '{name}.{methodName}'.");
                }

                if (methodName == "Finalize" && (method.Attributes & MethodAttributes.Virtual) != 0 && method.DecodeSignature(new ParameterCount(), null).ParameterTypes.Length == 0)
                {
                    problems.Add($"The image has a finalizer in '{name}'.");
                }
            }
        }

        return problems;
    }

    // Decodes a signature only far enough to count its parameters.
    private sealed class ParameterCount : ISignatureTypeProvider<int, object?>
    {
        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetGenericInstantiation(int genericType, System.Collections.Immutable.ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(object? genericContext, int index) => 0;

        public int GetGenericTypeParameter(object? genericContext, int index) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetSZArrayType(int elementType) => 0;

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => 0;

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => 0;
    }
}
