//! The procedural macros of `macros-demo`, the Rust counterparts of the
//! article's three kinds of Python metaprogramming:
//!
//! | Python | here | runs |
//! |---|---|---|
//! | function decorator `@timing_decorator` | attribute macro [`#[timed]`](macro@timed) | at compile time, rewrites the function |
//! | class decorator `@enforce_interface` | attribute macro [`#[enforce_interface(...)]`](macro@enforce_interface) | at compile time, checks an `impl` block |
//! | metaclass | derive macro [`#[derive(Describe)]`](macro@Describe) | at compile time, writes code for a new type |
//!
//! Each macro follows the shape of dtolnay's proc-macro workshop: parse the
//! tokens with `parse_macro_input!`, do the work in a function that returns
//! `syn::Result`, and turn an `Err` into `compile_error!` with
//! [`syn::Error::to_compile_error`]. Errors are built with
//! [`syn::Error::new_spanned`] on the user's own tokens, so rustc underlines
//! the user's code, not the macro.
//!
//! Use them through the `macros-demo` library (`use macros_demo::timed;`):
//! the code `Describe` writes names the trait `::macros_demo::Describe`,
//! because a proc-macro crate can export nothing but macros.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, ImplItem, Item, ItemFn, Token, parse_macro_input};

/// Times every call of a function and prints the article's line,
/// `'name' ran in 0.0123 seconds.`: the Python decorator `@timing_decorator`,
/// done once at compile time instead of on every import.
///
/// The signature, visibility, attributes, generics and return value stay as
/// written. The body runs inside a closure (an `async` block for an
/// `async fn`), so that `return` and `?` leave the closure, not the function,
/// and the time is printed however the body ends. On an `async fn` the clock
/// covers the whole `.await`, not just the creation of the future.
///
/// Before:
///
/// ```ignore
/// #[timed]
/// pub fn parse_sum(a: &str, b: &str) -> Result<i64, ParseIntError> {
///     Ok(a.parse::<i64>()? + b.parse::<i64>()?)
/// }
/// ```
///
/// After (names simplified; the real ones are hygienic and cannot clash with
/// the body's):
///
/// ```ignore
/// pub fn parse_sum(a: &str, b: &str) -> Result<i64, ParseIntError> {
///     let start = ::std::time::Instant::now();
///     let result: Result<i64, ParseIntError> =
///         (|| { Ok(a.parse::<i64>()? + b.parse::<i64>()?) })();
///     let elapsed = start.elapsed();
///     ::std::println!("'{}' ran in {:.4} seconds.", "parse_sum", elapsed.as_secs_f64());
///     result
/// }
/// ```
///
/// `#[timed(with = path::to::report)]` calls `report(name, elapsed)` (a
/// `fn(&'static str, std::time::Duration)`) instead of printing, like a
/// Python decorator that takes arguments.
///
/// On anything but a function with a body, and on a `const fn` (no clock can
/// be read at compile time), it fails to compile with the error under that
/// item. The item is still emitted after the error, unchanged, so that its
/// uses elsewhere add no follow-on errors.
#[proc_macro_attribute]
pub fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    let original = TokenStream2::from(item.clone());
    let mut with: Option<syn::Path> = None;
    let arg_parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("with") {
            with = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            Err(meta.error("unknown argument: #[timed] takes nothing, or `with = path::to::fn`"))
        }
    });
    if let Err(error) = syn::parse::Parser::parse(arg_parser, args) {
        return with_original(error, original);
    }
    let item = parse_macro_input!(item as Item);
    match expand_timed(item, with) {
        Ok(tokens) => tokens.into(),
        Err(error) => with_original(error, original),
    }
}

/// The error, followed by the item as the user wrote it: the item still
/// exists, so its uses do not add a cascade of "cannot find" errors after
/// the one that matters.
fn with_original(error: syn::Error, original: TokenStream2) -> TokenStream {
    let mut tokens = error.to_compile_error();
    tokens.extend(original);
    tokens.into()
}

fn expand_timed(item: Item, with: Option<syn::Path>) -> syn::Result<TokenStream2> {
    let function = match item {
        Item::Fn(function) => function,
        other => {
            return Err(syn::Error::new_spanned(
                head(&other),
                format!(
                    "#[timed] can only time a function, and this is {}",
                    what(&other)
                ),
            ));
        }
    };
    if let Some(constness) = &function.sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            "#[timed] cannot time a `const fn`: no clock can be read at compile time",
        ));
    }
    if let syn::ReturnType::Type(_, ty) = &function.sig.output {
        if let syn::Type::Never(never) = &**ty {
            return Err(syn::Error::new_spanned(
                never,
                "#[timed] cannot time a function that never returns: the time would never be printed",
            ));
        }
    }
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let name = sig.ident.to_string();
    // Names made with `mixed_site` are hygienic like a `macro_rules!`
    // local: the user's body can neither see them nor clash with them.
    let start = Ident::new("start", Span::mixed_site());
    let result = Ident::new("result", Span::mixed_site());
    let elapsed = Ident::new("elapsed", Span::mixed_site());

    let run_body = if sig.asyncness.is_some() {
        // `return` inside an async block ends the block: the await below
        // still finishes and is timed.
        quote! { async #block.await }
    } else {
        quote! {
            (|| #block)()
        }
    };
    // The annotation gives `?` inside the closure the error type to convert
    // into. `impl Trait` cannot be written on a `let`, so without it the
    // closure's own type stands.
    let annotation = match &sig.output {
        syn::ReturnType::Type(_, ty) if !mentions_impl_trait(ty) => quote! { : #ty },
        _ => TokenStream2::new(),
    };
    let report = match &with {
        // Spanned on the user's path: a callback of the wrong type is
        // reported there, not on the attribute.
        Some(path) => quote_spanned! {path.span()=> #path(#name, #elapsed); },
        None => quote! {
            ::std::println!("'{}' ran in {:.4} seconds.", #name, #elapsed.as_secs_f64());
        },
    };
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            let #start = ::std::time::Instant::now();
            #[allow(clippy::redundant_closure_call)]
            let #result #annotation = #run_body;
            let #elapsed = #start.elapsed();
            #report
            #result
        }
    })
}

/// Whether `impl Trait` appears anywhere in a type.
fn mentions_impl_trait(ty: &syn::Type) -> bool {
    fn walk(tokens: TokenStream2) -> bool {
        tokens.into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => ident == "impl",
            proc_macro2::TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

/// The first tokens of an item, up to its name (`struct Point`,
/// `impl Car`): where an error about the whole item is underlined.
fn head(item: &Item) -> TokenStream2 {
    match item {
        Item::Struct(s) => {
            let (vis, token, ident) = (&s.vis, &s.struct_token, &s.ident);
            quote!(#vis #token #ident)
        }
        Item::Enum(e) => {
            let (vis, token, ident) = (&e.vis, &e.enum_token, &e.ident);
            quote!(#vis #token #ident)
        }
        Item::Trait(t) => {
            let (vis, token, ident) = (&t.vis, &t.trait_token, &t.ident);
            quote!(#vis #token #ident)
        }
        Item::Impl(i) => {
            let (token, ty) = (&i.impl_token, &i.self_ty);
            quote!(#token #ty)
        }
        Item::Mod(m) => {
            let (vis, token, ident) = (&m.vis, &m.mod_token, &m.ident);
            quote!(#vis #token #ident)
        }
        other => other.to_token_stream(),
    }
}

/// What kind of item this is, in words for an error message.
fn what(item: &Item) -> &'static str {
    match item {
        Item::Struct(_) => "a struct",
        Item::Enum(_) => "an enum",
        Item::Union(_) => "a union",
        Item::Trait(_) => "a trait",
        Item::Impl(_) => "an impl block (put #[timed] on its methods)",
        Item::Mod(_) => "a module",
        Item::Const(_) => "a constant",
        Item::Static(_) => "a static",
        Item::Type(_) => "a type alias",
        Item::Use(_) => "a use declaration",
        Item::Verbatim(_) => "not a function with a body",
        _ => "not a function",
    }
}

/// Checks at compile time that an `impl` block defines the named methods,
/// and fails with the article's message if one is missing: the Python class
/// decorator `@enforce_interface`, which raised `TypeError` when the class
/// statement ran.
///
/// It goes on the `impl` block because that is where a Rust type's methods
/// are: a `struct` definition lists fields only, and an attribute sees only
/// the item it is attached to. The block is returned unchanged, as the
/// Python decorator returned the class.
///
/// Before:
///
/// ```ignore
/// #[enforce_interface(start, stop)]
/// impl Motorcycle {
///     fn start(&self) { /* ... */ }
/// }
/// ```
///
/// After (no `stop` method):
///
/// ```ignore
/// ::core::compile_error! { "Class 'Motorcycle' must have a 'stop' method." }
/// impl Motorcycle {
///     fn start(&self) { /* ... */ }
/// }
/// ```
///
/// spanned on `impl Motorcycle`, so rustc reports:
///
/// ```text
/// error: Class 'Motorcycle' must have a 'stop' method.
///  --> tests/ui/05-motorcycle-missing-stop.rs
///   |
///   | impl Motorcycle {
///   | ^^^^^^^^^^^^^^^
/// ```
///
/// A required name must be a method, taking `self` in some form; a
/// same-named associated function without `self` is reported on its
/// signature. Methods defined in another `impl` block are not seen: that is
/// the limit of a check written as a macro, and why the idiomatic Rust answer
/// is a trait with required methods (error E0046), which sees every impl.
#[proc_macro_attribute]
pub fn enforce_interface(args: TokenStream, item: TokenStream) -> TokenStream {
    let original = TokenStream2::from(item.clone());
    let required =
        match syn::parse::Parser::parse(Punctuated::<Ident, Token![,]>::parse_terminated, args) {
            Ok(required) => required,
            Err(error) => return with_original(error, original),
        };
    let item = parse_macro_input!(item as Item);
    match expand_enforce_interface(required, item) {
        Ok(tokens) => tokens.into(),
        Err(error) => with_original(error, original),
    }
}

fn expand_enforce_interface(
    required: Punctuated<Ident, Token![,]>,
    item: Item,
) -> syn::Result<TokenStream2> {
    if required.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "name the required methods: #[enforce_interface(start, stop)]",
        ));
    }
    let Item::Impl(block) = &item else {
        return Err(syn::Error::new_spanned(
            head(&item),
            format!(
                "#[enforce_interface] goes on the `impl` block that defines the methods, and this is {}",
                what(&item)
            ),
        ));
    };
    let class = type_name(&block.self_ty);
    let impl_head = {
        let (token, generics, ty) = (&block.impl_token, &block.generics, &block.self_ty);
        quote!(#token #generics #ty)
    };
    let mut errors: Option<syn::Error> = None;
    let mut fail = |error: syn::Error| match &mut errors {
        Some(first) => first.combine(error),
        None => errors = Some(error),
    };
    for name in &required {
        let found = block.items.iter().find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == *name => Some(f),
            _ => None,
        });
        match found {
            None => fail(syn::Error::new_spanned(
                &impl_head,
                format!("Class '{class}' must have a '{name}' method."),
            )),
            Some(f) if f.sig.receiver().is_none() => fail(syn::Error::new_spanned(
                &f.sig,
                format!("'{name}' must take `self` to be a method of '{class}'"),
            )),
            Some(_) => {}
        }
    }
    match errors {
        Some(error) => Err(error),
        None => Ok(item.into_token_stream()),
    }
}

/// The name a class would have: the last segment of a type path
/// (`Motorcycle` for `crate::Motorcycle<T>`, also behind a `&`), else the
/// type's tokens.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default(),
        syn::Type::Reference(reference) => type_name(&reference.elem),
        other => tidy(&other.to_token_stream().to_string()),
    }
}

/// Writes code when a type is defined, as a Python metaclass runs when a
/// class statement is executed: here, an implementation of
/// `macros_demo::Describe` listing the struct's name and its fields with
/// their types.
///
/// Before:
///
/// ```ignore
/// #[derive(Describe)]
/// struct Car {
///     model: String,
///     wheels: u8,
/// }
/// ```
///
/// After:
///
/// ```ignore
/// impl ::macros_demo::Describe for Car {
///     const NAME: &'static str = "Car";
///     const FIELDS: &'static [::macros_demo::Field] = &[
///         ::macros_demo::Field { name: "model", ty: "String" },
///         ::macros_demo::Field { name: "wheels", ty: "u8" },
///     ];
/// }
/// ```
///
/// Generic structs keep their parameters and bounds; tuple fields are named
/// `0`, `1`, …. On an enum or a union it fails to compile with the error
/// under the item's name. Unlike a metaclass it cannot create a type at run
/// time or intercept construction: it only adds code beside the definition.
#[proc_macro_derive(Describe)]
pub fn derive_describe(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_describe(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand_describe(input: DeriveInput) -> syn::Result<TokenStream2> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            let (token, ident) = (&data.enum_token, &input.ident);
            return Err(syn::Error::new_spanned(
                quote!(#token #ident),
                "#[derive(Describe)] lists the fields of a struct; an enum has variants instead",
            ));
        }
        Data::Union(data) => {
            let (token, ident) = (&data.union_token, &input.ident);
            return Err(syn::Error::new_spanned(
                quote!(#token #ident),
                "#[derive(Describe)] lists the fields of a struct, not of a union",
            ));
        }
    };
    let entries = field_entries(fields);
    let ident = &input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::macros_demo::Describe for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const FIELDS: &'static [::macros_demo::Field] = &[#(#entries),*];
        }
    })
}

/// One `Field { name, ty }` expression per field, spanned on the field so
/// that any error in it points there.
fn field_entries(fields: &Fields) -> Vec<TokenStream2> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), Ident::to_string);
            // Not `stringify!(#ty)`: tokens that came through a macro lose
            // their spacing, and rustc prints them as `Option < T >`.
            let ty = tidy(&field.ty.to_token_stream().to_string());
            quote_spanned! {field.span()=>
                ::macros_demo::Field { name: #name, ty: #ty }
            }
        })
        .collect()
}

/// Token text as a person writes it: `Vec < String >` becomes `Vec<String>`.
fn tidy(tokens: &str) -> String {
    let mut out = tokens.to_string();
    for (from, to) in [
        // Only before `const`/`mut`: a bare `* ` may be a product in an array length.
        ("* const ", "*const "),
        ("* mut ", "*mut "),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" :: ", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
    ] {
        out = out.replace(from, to);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed_error(item: &str) -> String {
        let item: Item = syn::parse_str(item).unwrap();
        expand_timed(item, None).unwrap_err().to_string()
    }

    #[test]
    fn timed_refuses_what_is_not_a_function() {
        assert!(timed_error("struct Point { x: i32 }").contains("this is a struct"));
        assert!(timed_error("const N: u8 = 1;").contains("this is a constant"));
        assert!(timed_error("const fn f() {}").contains("const fn"));
        assert!(timed_error("fn forever() -> ! { loop {} }").contains("never returns"));
    }

    #[test]
    fn every_missing_method_is_reported_with_the_articles_message() {
        let required: Punctuated<Ident, Token![,]> = syn::parse_quote!(start, stop, honk);
        let item: Item = syn::parse_quote!(impl Motorcycle { fn start(&self) {} });
        let error = expand_enforce_interface(required, item).unwrap_err();
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "Class 'Motorcycle' must have a 'stop' method.",
                "Class 'Motorcycle' must have a 'honk' method.",
            ]
        );
    }

    #[test]
    fn describe_refuses_an_enum() {
        let input: DeriveInput = syn::parse_quote!(
            enum Gear {
                Low,
                High,
            }
        );
        assert!(
            expand_describe(input)
                .unwrap_err()
                .to_string()
                .contains("an enum")
        );
    }
}
