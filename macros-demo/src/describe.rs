//! What `#[derive(Describe)]` implements: a type's name and fields, written
//! down by the compiler when the type is defined.

/// One field of a struct, as written in its definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's name (`0`, `1`, … for a tuple struct).
    pub name: &'static str,
    /// Its type, as written (`Vec<String>`).
    pub ty: &'static str,
}

/// A type that knows its own shape. Derive it with
/// [`#[derive(Describe)]`](macro@crate::Describe) rather than by hand: the
/// derive reads the definition, so the description cannot drift from it.
pub trait Describe {
    /// The type's name as written after `struct`, without its generic parameters.
    const NAME: &'static str;
    /// Its fields, in order of definition.
    const FIELDS: &'static [Field];

    /// `Car { model: String, wheels: u8 }`.
    fn describe() -> String {
        let fields: Vec<String> = Self::FIELDS
            .iter()
            .map(|field| format!("{}: {}", field.name, field.ty))
            .collect();
        if fields.is_empty() {
            Self::NAME.to_string()
        } else {
            format!("{} {{ {} }}", Self::NAME, fields.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Describe;

    /// A part with a name and a count.
    #[derive(Describe)]
    #[allow(dead_code)]
    struct Part<T: Clone> {
        name: String,
        spares: Vec<T>,
    }

    #[derive(Describe)]
    #[allow(dead_code)]
    struct Point(i32, i32);

    #[derive(Describe)]
    struct Marker;

    #[test]
    fn derived_descriptions_follow_the_definition() {
        assert_eq!(
            <Part<u8>>::describe(),
            "Part { name: String, spares: Vec<T> }"
        );
        assert_eq!(Point::describe(), "Point { 0: i32, 1: i32 }");
        assert_eq!(Marker::describe(), "Marker");
        assert_eq!(
            Point::FIELDS,
            &[
                Field {
                    name: "0",
                    ty: "i32"
                },
                Field {
                    name: "1",
                    ty: "i32"
                }
            ]
        );
    }
}
