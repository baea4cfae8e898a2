import CLibXML2
import Foundation

/// An element of a parsed XML document: its namespace, local name, attributes, text and child elements. Built by
/// ``XMLTree/parse(_:)`` with libxml2 directly: strict (no recovery from errors), no network, no entity expansion.
public struct XMLTreeElement: Sendable, Equatable {
    /// The namespace URI, or nil.
    public var namespace: String?
    /// The local name, without prefix.
    public var name: String
    /// Attributes by local name.
    public var attributes: [String: String]
    /// The element's own text (its text children, joined).
    public var text: String
    /// Child elements in order.
    public var children: [XMLTreeElement]

    /// The first child with this local name.
    public func first(_ localName: String) -> XMLTreeElement? { children.first { $0.name == localName } }
}

/// Parsing of XML received from the network.
public enum XMLTree {
    /// The deepest nesting accepted: deeper documents are refused rather than recursed into.
    static let maximumDepth = 64

    /// The document element of `data`; nil when `data` is not well-formed XML (any libxml2 error) or nests too deep.
    public static func parse(_ data: Data) -> XMLTreeElement? {
        guard !data.isEmpty, data.count < Int(Int32.max) else { return nil }
        rtcc_xml_quiet()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document: xmlDocPtr? = data.withUnsafeBytes { bytes in
            xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, nil, options)
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        return element(root, depth: 0)
    }

    private static func element(_ node: xmlNodePtr, depth: Int) -> XMLTreeElement? {
        guard depth < maximumDepth else { return nil }
        var result = XMLTreeElement(
            namespace: node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }, name: String(cString: node.pointee.name),
            attributes: [:], text: "", children: [])
        var attribute = node.pointee.properties
        while let current = attribute {
            // An attribute's value is its text child (entities are not expanded: XML_PARSE_NOENT is not set).
            var value = ""
            var part = current.pointee.children
            while let text = part {
                if let content = text.pointee.content { value += String(cString: content) }
                part = text.pointee.next
            }
            result.attributes[String(cString: current.pointee.name)] = value
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                guard let parsed = element(current, depth: depth + 1) else { return nil }
                result.children.append(parsed)
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { result.text += String(cString: content) }
            default:
                break
            }
            child = current.pointee.next
        }
        return result
    }
}
