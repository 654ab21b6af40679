"""C-DOT's register, from its privacy statement (../shared/seed/privacy-statement-nl.txt).

Pure data: `registry.services.register_seed()` loads it idempotently. Dutch follows the seed;
French and English are written translations. Where the seed is wrong in law it is corrected and
the correction explained in the record itself (legal_basis_explanation), never silently:
- the supervisory authority is the GBA/APD, not the "Privacy Commissie" of the seed;
- camera surveillance rests on legitimate interest under the camera law of 21 March 2007, not on
  consent (purpose F of the seed): it is its own activity F2;
- employment (G) rests on the contract and on social law, not on consent.
The company number is not in the seed: it stays empty and `check_register` asks for it, rather
than a made-up number that would look real on the public statement.
"""

from datetime import date
from typing import Any


def t(nl: str, fr: str, en: str) -> dict[str, str]:
    """The three language versions of one text."""
    return {"nl": nl, "fr": fr, "en": en}


SEED_DATE = date(2018, 5, 25)  # the statement dates from the GDPR's entry into application

ORGANISATION = {
    "legal_name": "C-DOT BV",
    "legal_form": "BV",
    "kbo_number": "",
    "vat_number": "",
    "street": "Leuvensesteenweg 161B",
    "postal_code": "3190",
    "city": "Boortmeerbeek",
    "country": "BE",
    "email": "glenn@c-dot.be",
    "phone": "015 51 35 31",
    "privacy_contact_email": "glenn@c-dot.be",
    "fiscal_year_end_month": 12,
    "fiscal_year_end_day": 31,
    "note": (
        "Company number (KBO/BCE) and VAT number are not in the source statement: fill them in "
        "(check_register reports them as missing). Since 1 January 2024 every bvba is a BV by "
        "law (Code of Companies and Associations): C-DOT BV, formerly C-DOT bvba."
    ),
}

AUTHORITY = {
    "name": t(
        "Gegevensbeschermingsautoriteit",
        "Autorité de protection des données",
        "Data Protection Authority",
    ),
    "short_name": t("GBA", "APD", "GBA/APD"),
    "address": t(
        "Drukpersstraat 35, 1000 Brussel",
        "Rue de la Presse 35, 1000 Bruxelles",
        "Rue de la Presse 35 / Drukpersstraat 35, 1000 Brussels, Belgium",
    ),
    "phone": "+32 2 274 48 00",
    "email": "contact@apd-gba.be",
    "website": t(
        "https://www.gegevensbeschermingsautoriteit.be",
        "https://www.autoriteprotectiondonnees.be",
        "https://www.dataprotectionauthority.be",
    ),
}

DATA_SUBJECT_CATEGORIES = {
    "customers": (t("Klanten", "Clients", "Customers"), t("", "", "")),
    "prospects": (
        t("Prospecten", "Prospects", "Prospects"),
        t(
            "Bedrijven en personen aan wie we een offerte maken of die we benaderen.",
            "Entreprises et personnes à qui nous remettons une offre ou que nous contactons.",
            "Companies and people we quote for or approach.",
        ),
    ),
    "loose-contacts": (
        t("Losse contacten", "Contacts occasionnels", "Occasional contacts"),
        t(
            "Contactpersonen die (nog) geen klant of prospect zijn, bv. leveranciers.",
            "Personnes de contact qui ne sont pas (encore) clientes ni prospects, p. ex. "
            "fournisseurs.",
            "Contact persons who are not (yet) customers or prospects, e.g. suppliers.",
        ),
    ),
    "web-inquirers": (
        t(
            "Afzenders via website of webshop",
            "Personnes nous écrivant via le site ou la boutique en ligne",
            "People who contact us through the website or webshop",
        ),
        t("", "", ""),
    ),
    "website-visitors": (
        t("Websitebezoekers", "Visiteurs du site web", "Website visitors"),
        t("", "", ""),
    ),
    "newsletter-subscribers": (
        t("Nieuwsbriefabonnees", "Abonnés à la newsletter", "Newsletter subscribers"),
        t("", "", ""),
    ),
    "filmed-persons": (
        t(
            "Gefilmde personen",
            "Personnes filmées",
            "Persons filmed",
        ),
        t(
            "Bezoekers, personeel en voorbijgangers in het beeld van onze camera's.",
            "Visiteurs, personnel et passants dans le champ de nos caméras.",
            "Visitors, staff and passers-by within the view of our cameras.",
        ),
    ),
    "employees": (t("Personeel", "Personnel", "Employees"), t("", "", "")),
    # Issue 13: people who exercise their rights, and people a breach concerns.
    "requesters": (
        t(
            "Personen die hun rechten uitoefenen",
            "Personnes qui exercent leurs droits",
            "People exercising their rights",
        ),
        t("", "", ""),
    ),
    "breach-subjects": (
        t(
            "Personen van wie gegevens bij een datalek betrokken zijn",
            "Personnes dont les données sont concernées par une violation",
            "People whose data a breach concerns",
        ),
        t("", "", ""),
    ),
}

DATA_CATEGORIES = {
    "identity": (
        t(
            "Persoonlijke identiteitsgegevens",
            "Données d'identification personnelles",
            "Personal identification data",
        ),
        t(
            "Naam, voornaam, adres, telefoonnummer, e-mail.",
            "Nom, prénom, adresse, numéro de téléphone, e-mail.",
            "Surname, first name, address, phone number, e-mail.",
        ),
    ),
    "company-numbers": (
        t("Btw- en KBO-nummer", "Numéro de TVA et numéro BCE", "VAT and company number"),
        t("", "", ""),
    ),
    "email": (t("E-mailadres", "Adresse e-mail", "E-mail address"), t("", "", "")),
    "url": (
        t("URL", "URL", "URL"),
        t("Adres van uw website.", "Adresse de votre site web.", "Your website address."),
    ),
    "mobile": (t("Gsm-nummer", "Numéro de GSM", "Mobile phone number"), t("", "", "")),
    "invoicing": (
        t("Facturatiegegevens", "Données de facturation", "Invoicing data"),
        t(
            "Facturen: naam, adres, btw-nummer, bedragen.",
            "Factures : nom, adresse, numéro de TVA, montants.",
            "Invoices: name, address, VAT number, amounts.",
        ),
    ),
    "client-data": (
        t(
            "Persoonsgegevens van klanten in onze diensten",
            "Données personnelles confiées par nos clients",
            "Personal data our clients entrust to us",
        ),
        t(
            "De persoonsgegevens die klanten ons overmaken in het kader van onze "
            "dienstverleningscontracten (mail, back-ups, servers, websites). Met deze klanten "
            "worden verwerkersovereenkomsten afgesloten.",
            "Les données personnelles que nos clients nous confient dans le cadre de nos "
            "contrats de services (e-mail, sauvegardes, serveurs, sites web). Un contrat de "
            "sous-traitance est conclu avec ces clients.",
            "The personal data clients hand over to us under our service contracts (mail, "
            "backups, servers, websites). We sign a data processing agreement with these clients.",
        ),
    ),
    "cookie-data": (
        t(
            "Cookies en surfgedrag",
            "Cookies et données de navigation",
            "Cookies and browsing data",
        ),
        t(
            "Cookie-identificatoren, bezochte pagina's, tijdstip van het bezoek.",
            "Identifiants de cookies, pages visitées, moment de la visite.",
            "Cookie identifiers, pages visited, time of the visit.",
        ),
    ),
    "camera-images": (t("Camerabeelden", "Images de caméras", "Camera footage"), t("", "", "")),
    "request-data": (
        t(
            "Gegevens van uw verzoek (naam, e-mail, telefoon, toelichting, identiteitscontrole, "
            "ons antwoord)",
            "Données de votre demande (nom, e-mail, téléphone, précisions, contrôle d'identité, "
            "notre réponse)",
            "Data of your request (name, e-mail, phone, details, identity check, our answer)",
        ),
        t("", "", ""),
    ),
    "access-logs": (
        t(
            "Aanmeldgegevens van personeel (gebruikersnaam, IP-adres, tijdstip)",
            "Données de connexion du personnel (nom d'utilisateur, adresse IP, heure)",
            "Staff sign-in data (user name, IP address, time)",
        ),
        t("", "", ""),
    ),
    "breach-data": (
        t(
            "Beschrijving van een datalek en de betrokken personen",
            "Description d'une violation et des personnes concernées",
            "Description of a breach and the people concerned",
        ),
        t("", "", ""),
    ),
    "consent-proof": (
        t(
            "Bewijs van toestemming (sleutel-hash van het e-mailadres, tijdstippen, getoonde "
            "tekst)",
            "Preuve du consentement (empreinte à clé de l'adresse e-mail, heures, texte affiché)",
            "Proof of consent (keyed hash of the e-mail address, times, text shown)",
        ),
        t("", "", ""),
    ),
    "employment": (
        t(
            "Personeelsgegevens",
            "Données du personnel",
            "Employment data",
        ),
        t(
            "Gegevens uit het personeelsdossier en de loonadministratie. De privacyafspraken "
            "met ons personeel staan in een afzonderlijk document.",
            "Données du dossier du personnel et de l'administration salariale. Les accords de "
            "confidentialité avec notre personnel figurent dans un document distinct.",
            "Data from the personnel file and payroll. The privacy arrangements with our staff "
            "are set out in a separate document.",
        ),
    ),
}

# kind, name, service; all in Belgium / the EEA as far as the seed tells (no transfers).
RECIPIENTS = {
    "webhosting": (
        "processor",
        t("Webhostingpartner", "Hébergeur web", "Web hosting provider"),
        t("Webhosting", "Hébergement web", "Web hosting"),
    ),
    "it-infrastructure": (
        "processor",
        t(
            "IT-infrastructuurpartner",
            "Prestataire d'infrastructure IT",
            "IT infrastructure provider",
        ),
        t(
            "IT-infrastructuur (o.a. IT-netwerk)",
            "Infrastructure IT (notamment le réseau informatique)",
            "IT infrastructure (including the IT network)",
        ),
    ),
    "newsletter-ecommerce": (
        "processor",
        t(
            "Nieuwsbrief- en e-commerceplatform",
            "Plateforme de newsletter et d'e-commerce",
            "Newsletter and e-commerce platform",
        ),
        t("Nieuwsbrieven en e-commerce", "Newsletters et e-commerce", "Newsletters and e-commerce"),
    ),
    "accountant": (
        "processor",
        t("Onze boekhouder", "Notre comptable", "Our accountant"),
        t("Boekhouding", "Comptabilité", "Accounting"),
    ),
    "sub-processors": (
        "sub_processor",
        t(
            "Subverwerkers voor onze diensten",
            "Sous-traitants ultérieurs pour nos services",
            "Sub-processors for our services",
        ),
        t(
            "Uitvoering van onze dienstverleningsovereenkomsten (bv. datacenter, opslag van "
            "back-ups), onder contract",
            "Exécution de nos contrats de services (p. ex. centre de données, stockage des "
            "sauvegardes), sous contrat",
            "Carrying out our service contracts (e.g. data centre, backup storage), under contract",
        ),
    ),
    "authorities": (
        "public_authority",
        t(
            "Overheden, wanneer de wet het oplegt",
            "Autorités publiques, lorsque la loi l'impose",
            "Public authorities, where the law requires it",
        ),
        t(
            "Bv. de fiscale administratie en de sociale zekerheid",
            "P. ex. l'administration fiscale et la sécurité sociale",
            "E.g. the tax administration and social security",
        ),
    ),
    "police": (
        "public_authority",
        t("Politie en gerecht", "Police et justice", "Police and judicial authorities"),
        t(
            "Camerabeelden, enkel als bewijs van een misdrijf, schade of overlast",
            "Images de caméras, uniquement comme preuve d'une infraction, de dégâts ou de "
            "nuisances",
            "Camera footage, only as evidence of an offence, damage or nuisance",
        ),
    ),
}

# kind, name (the five measures of the seed)
SECURITY_MEASURES = {
    "confidentiality": (
        "organisational",
        t(
            "Geheimhouding",
            "Confidentialité",
            "Confidentiality",
        ),
        t(
            "Alle personen die namens C-DOT van uw gegevens kennis kunnen nemen, zijn gehouden "
            "aan geheimhouding daarvan.",
            "Toutes les personnes qui peuvent prendre connaissance de vos données au nom de "
            "C-DOT sont tenues au secret.",
            "Everyone who may see your data on behalf of C-DOT is bound to confidentiality.",
        ),
    ),
    "access-control": (
        "technical",
        t(
            "Gebruikersnamen en wachtwoordbeleid",
            "Identifiants et politique de mots de passe",
            "User names and password policy",
        ),
        t(
            "We hanteren een gebruikersnaam en wachtwoordbeleid op al onze systemen.",
            "Nous appliquons des identifiants et une politique de mots de passe sur tous nos "
            "systèmes.",
            "We use user names and a password policy on all our systems.",
        ),
    ),
    "backups": (
        "technical",
        t("Back-ups", "Sauvegardes", "Backups"),
        t(
            "We maken back-ups van de persoonsgegevens om ze te kunnen herstellen bij fysieke "
            "of technische incidenten.",
            "Nous sauvegardons les données personnelles afin de pouvoir les restaurer en cas "
            "d'incident physique ou technique.",
            "We back up personal data so that we can restore them after a physical or technical "
            "incident.",
        ),
    ),
    "regular-testing": (
        "organisational",
        t(
            "Regelmatige tests en evaluatie",
            "Tests et évaluations réguliers",
            "Regular testing and evaluation",
        ),
        t(
            "We testen en evalueren regelmatig onze maatregelen.",
            "Nous testons et évaluons régulièrement nos mesures.",
            "We test and evaluate our measures regularly.",
        ),
    ),
    "processor-awareness": (
        "organisational",
        t(
            "Geïnformeerde verwerkers",
            "Sous-traitants informés",
            "Informed processors",
        ),
        t(
            "Onze verwerkers zijn geïnformeerd over het belang van de bescherming van "
            "persoonsgegevens.",
            "Nos sous-traitants sont informés de l'importance de la protection des données "
            "personnelles.",
            "Our processors are informed of the importance of protecting personal data.",
        ),
    ),
}
ALL_MEASURES = list(SECURITY_MEASURES)

NO_ADM = t(
    "Er is geen geautomatiseerde besluitvorming of profilering.",
    "Il n'y a pas de prise de décision automatisée ni de profilage.",
    "There is no automated decision-making or profiling.",
)

ACTIVITIES = [
    {
        "code": "A",
        "name": t(
            "Correspondentie en contactbeheer",
            "Correspondance et gestion des contacts",
            "Correspondence and contact management",
        ),
        "purpose": t(
            "Correspondentie per mail of telefonisch zodat onze dienstverlening en onze "
            "leveringen vlot verlopen, en het bijhouden van contactgegevens voor "
            "marketingdoeleinden.",
            "Correspondance par e-mail ou par téléphone afin que nos services et nos livraisons "
            "se déroulent sans encombre, et conservation des coordonnées à des fins de marketing.",
            "Correspondence by e-mail or telephone so that our services and deliveries run "
            "smoothly, and keeping contact details for marketing purposes.",
        ),
        "legal_basis": "legitimate_interest",
        "legitimate_interest": t(
            "Vlot communiceren met klanten, leveranciers en andere contacten, en hen informeren "
            "over onze eigen, gelijkaardige producten en diensten (direct marketing, overweging "
            "47 AVG). U kunt zich altijd kosteloos verzetten tegen direct marketing "
            "(art. 21, lid 2 AVG).",
            "Communiquer efficacement avec nos clients, fournisseurs et autres contacts, et les "
            "informer de nos propres produits et services similaires (marketing direct, "
            "considérant 47 du RGPD). Vous pouvez toujours vous opposer gratuitement au "
            "marketing direct (art. 21, par. 2 du RGPD).",
            "Communicating smoothly with customers, suppliers and other contacts, and informing "
            "them about our own similar products and services (direct marketing, recital 47 "
            "GDPR). You can always object to direct marketing free of charge (Art. 21(2) GDPR).",
        ),
        "subjects": ["customers", "prospects", "loose-contacts"],
        "categories": ["identity", "email", "mobile", "company-numbers"],
        "recipients": ["it-infrastructure"],
        "provision_requirement": "voluntary",
        "consequence": t(
            "Zonder contactgegevens kunnen we u niet antwoorden of op de hoogte houden.",
            "Sans coordonnées, nous ne pouvons ni vous répondre ni vous tenir informé.",
            "Without contact details we cannot answer you or keep you informed.",
        ),
    },
    {
        "code": "B",
        "name": t(
            "Offertes en prospectie",
            "Offres et prospection",
            "Quotations and prospecting",
        ),
        "purpose": t(
            "Offertes en prospecten opmaken en opvolgen.",
            "Établir et suivre des offres et des prospects.",
            "Preparing and following up quotations and prospects.",
        ),
        "legal_basis": "legitimate_interest",
        "legitimate_interest": t(
            "Nieuwe klanten vinden en offertes opvolgen die bedrijven bij ons aanvragen of die "
            "we hun bezorgen; we gebruiken daarvoor enkel zakelijke contactgegevens en bewaren "
            "ze niet langer dan een jaar na het eerste contact.",
            "Trouver de nouveaux clients et suivre les offres que des entreprises nous demandent "
            "ou que nous leur remettons ; nous n'utilisons que des coordonnées professionnelles "
            "et ne les conservons pas plus d'un an après le premier contact.",
            "Finding new customers and following up quotations that companies ask us for or "
            "that we send them; we use business contact details only and keep them no longer "
            "than one year after first contact.",
        ),
        "subjects": ["prospects"],
        "categories": ["identity", "email", "mobile", "company-numbers", "url"],
        "recipients": ["it-infrastructure"],
        "provision_requirement": "voluntary",
        "consequence": t(
            "Zonder uw gegevens kunnen we geen offerte opmaken.",
            "Sans vos données, nous ne pouvons pas établir d'offre.",
            "Without your details we cannot prepare a quotation.",
        ),
    },
    {
        "code": "C",
        "name": t(
            "Verkoop en herstellingen",
            "Ventes et réparations",
            "Sales and repairs",
        ),
        "purpose": t(
            "Uitvoering van koop-verkoopcontracten: goede afspraken maken rond de verkoop en "
            "herstellingen.",
            "Exécution des contrats de vente : convenir clairement des ventes et des réparations.",
            "Performing sales contracts: making clear arrangements about sales and repairs.",
        ),
        "legal_basis": "contract",
        "subjects": ["customers"],
        "categories": ["identity", "email", "mobile", "company-numbers", "invoicing"],
        "recipients": ["it-infrastructure", "accountant", "authorities"],
        "provision_requirement": "contractual",
        "consequence": t(
            "Zonder deze gegevens kunnen we niet verkopen, leveren of herstellen.",
            "Sans ces données, nous ne pouvons ni vendre, ni livrer, ni réparer.",
            "Without these data we cannot sell, deliver or repair.",
        ),
    },
    {
        "code": "D",
        "name": t(
            "Dienstverleningscontracten en facturatie",
            "Contrats de services et facturation",
            "Service contracts and invoicing",
        ),
        "purpose": t(
            "Uitvoering van dienstverleningscontracten: dienstverlening en facturatie zoals "
            "mailhosting, cloud back-up, cloud-VPS-oplossingen, webhosting en herstellingen.",
            "Exécution des contrats de services : prestation et facturation de services tels "
            "que l'hébergement de messagerie, la sauvegarde dans le cloud, les solutions VPS "
            "dans le cloud, l'hébergement web et les réparations.",
            "Performing service contracts: providing and invoicing services such as mail "
            "hosting, cloud backup, cloud VPS solutions, web hosting and repairs.",
        ),
        "legal_basis": "contract",
        "additional_legal_basis": "legal_obligation",
        "legal_basis_explanation": t(
            "De dienstverlening zelf berust op de overeenkomst (art. 6, lid 1, b AVG); facturen "
            "bewaren we omdat de boekhoud- en btw-wetgeving dat oplegt (art. 6, lid 1, c AVG). "
            "De gegevens die klanten ons in die diensten toevertrouwen, verwerken we als "
            "verwerker in hun opdracht (zie het register van verwerkingen voor klanten).",
            "Les services eux-mêmes reposent sur le contrat (art. 6, par. 1, b du RGPD) ; nous "
            "conservons les factures parce que la législation comptable et la TVA l'imposent "
            "(art. 6, par. 1, c du RGPD). Les données que nos clients nous confient dans ces "
            "services, nous les traitons en tant que sous-traitant pour leur compte (voir le "
            "registre des traitements pour nos clients).",
            "The services themselves rest on the contract (Art. 6(1)(b) GDPR); we keep invoices "
            "because accounting and VAT law require it (Art. 6(1)(c) GDPR). The data clients "
            "entrust to us in those services we process as a processor on their behalf (see the "
            "register of processing for clients).",
        ),
        "subjects": ["customers"],
        "categories": ["identity", "email", "mobile", "company-numbers", "url", "invoicing"],
        "recipients": [
            "webhosting",
            "it-infrastructure",
            "accountant",
            "sub-processors",
            "authorities",
        ],
        "provision_requirement": "contractual",
        "consequence": t(
            "Zonder deze gegevens kunnen we de dienst niet leveren of factureren.",
            "Sans ces données, nous ne pouvons ni fournir ni facturer le service.",
            "Without these data we cannot provide or invoice the service.",
        ),
    },
    {
        "code": "E",
        "name": t(
            "Contactformulier website en webshop",
            "Formulaire de contact du site et de la boutique en ligne",
            "Website and webshop contact form",
        ),
        "purpose": t(
            "Vragen via het contactformulier van de website of de webshop zo goed mogelijk "
            "beantwoorden en u informeren.",
            "Répondre au mieux aux questions posées via le formulaire de contact du site ou de "
            "la boutique en ligne, et vous informer.",
            "Answering questions sent through the website or webshop contact form as well as "
            "we can, and informing you.",
        ),
        "legal_basis": "legitimate_interest",
        "legitimate_interest": t(
            "U neemt zelf contact met ons op en verwacht een antwoord; we gebruiken uw gegevens "
            "enkel om u te antwoorden en te informeren over uw vraag.",
            "Vous prenez vous-même contact avec nous et attendez une réponse ; nous n'utilisons "
            "vos données que pour vous répondre et vous informer au sujet de votre question.",
            "You contact us yourself and expect an answer; we use your data only to answer you "
            "and inform you about your question.",
        ),
        "subjects": ["web-inquirers"],
        "categories": ["identity", "email", "mobile"],
        "recipients": ["webhosting", "newsletter-ecommerce"],
        "provision_requirement": "voluntary",
        "consequence": t(
            "Zonder e-mailadres of telefoonnummer kunnen we u niet antwoorden.",
            "Sans adresse e-mail ni numéro de téléphone, nous ne pouvons pas vous répondre.",
            "Without an e-mail address or phone number we cannot answer you.",
        ),
    },
    {
        "code": "F",
        "name": t(
            "Cookies en nieuwsbrieven",
            "Cookies et newsletters",
            "Cookies and newsletters",
        ),
        "purpose": t(
            "Cookies gebruiken om de bezoekers van de website te kunnen opvolgen en na hun "
            "bezoek te kunnen contacteren, en nieuwsbrieven versturen (e-commerce).",
            "Utiliser des cookies pour suivre les visiteurs du site web et pouvoir les "
            "contacter après leur visite, et envoyer des newsletters (e-commerce).",
            "Using cookies to follow up website visitors and contact them after their visit, "
            "and sending newsletters (e-commerce).",
        ),
        "legal_basis": "consent",
        "legal_basis_explanation": t(
            "Hiervoor vragen we uw uitdrukkelijke toestemming (art. 6, lid 1, a AVG); u kunt ze "
            "altijd even gemakkelijk intrekken. Camerabeelden vallen hier niet onder: die "
            "berusten op ons gerechtvaardigd belang volgens de camerawet (zie F2).",
            "Nous vous demandons pour cela votre consentement explicite (art. 6, par. 1, a du "
            "RGPD) ; vous pouvez le retirer à tout moment aussi facilement. Les images de "
            "caméras n'en relèvent pas : elles reposent sur notre intérêt légitime selon la loi "
            "caméras (voir F2).",
            "We ask for your explicit consent for this (Art. 6(1)(a) GDPR); you can withdraw it "
            "at any time just as easily. Camera footage is not covered by it: it rests on our "
            "legitimate interest under the camera law (see F2).",
        ),
        "consent": t(
            "Elke inschrijving op de nieuwsbrief wordt vastgelegd met datum en uur, de tekst "
            "waarmee toestemming werd gevraagd, de versie van de privacyverklaring en de bron; "
            "uitschrijven kan met de link in elke nieuwsbrief. Niet-noodzakelijke cookies worden "
            "pas geplaatst na toestemming via de cookiebanner van de website.",
            "Chaque inscription à la newsletter est enregistrée avec la date et l'heure, le "
            "texte par lequel le consentement a été demandé, la version de la déclaration de "
            "confidentialité et la source ; le lien présent dans chaque newsletter permet de se "
            "désinscrire. Les cookies non nécessaires ne sont déposés qu'après consentement via "
            "la bannière cookies du site.",
            "Every newsletter subscription is recorded with date and time, the text by which "
            "consent was asked, the version of the privacy statement and the source; the link "
            "in every newsletter unsubscribes. Non-essential cookies are set only after consent "
            "through the website's cookie banner.",
        ),
        "subjects": ["website-visitors", "newsletter-subscribers"],
        "categories": ["identity", "email", "cookie-data"],
        "recipients": ["webhosting", "newsletter-ecommerce"],
        "provision_requirement": "voluntary",
        "consequence": t(
            "Zonder toestemming ontvangt u geen nieuwsbrief en plaatsen we geen "
            "niet-noodzakelijke cookies; de website blijft bruikbaar.",
            "Sans consentement, vous ne recevez pas de newsletter et nous ne déposons pas de "
            "cookies non nécessaires ; le site reste utilisable.",
            "Without consent you receive no newsletter and we set no non-essential cookies; the "
            "website remains usable.",
        ),
    },
    {
        "code": "F2",
        "name": t("Camerabewaking", "Vidéosurveillance", "Camera surveillance"),
        "purpose": t(
            "Camerabewaking van onze gebouwen om goederen en personen te beschermen en "
            "misdrijven, schade of overlast te kunnen vaststellen.",
            "Vidéosurveillance de nos bâtiments afin de protéger les biens et les personnes et "
            "de pouvoir constater les infractions, dégâts ou nuisances.",
            "Camera surveillance of our premises to protect property and people and to be able "
            "to establish offences, damage or nuisance.",
        ),
        "legal_basis": "legitimate_interest",
        "legitimate_interest": t(
            "De bescherming van onze gebouwen, goederen en personen tegen diefstal, inbraak en "
            "vandalisme, en het bewijs van misdrijven, schade of overlast, binnen de grenzen "
            "van de camerawet van 21 maart 2007.",
            "La protection de nos bâtiments, biens et personnes contre le vol, le cambriolage "
            "et le vandalisme, et la preuve d'infractions, de dégâts ou de nuisances, dans les "
            "limites de la loi caméras du 21 mars 2007.",
            "Protecting our premises, property and people against theft, burglary and "
            "vandalism, and proving offences, damage or nuisance, within the limits of the "
            "camera law of 21 March 2007.",
        ),
        "legal_basis_explanation": t(
            "Camerabewaking berust op ons gerechtvaardigd belang (art. 6, lid 1, f AVG) onder "
            "de voorwaarden van de camerawet van 21 maart 2007: pictogram aan de ingang, "
            "aangifte bij de politie en bewaring van hoogstens één maand.",
            "La vidéosurveillance repose sur notre intérêt légitime (art. 6, par. 1, f du "
            "RGPD) aux conditions de la loi caméras du 21 mars 2007 : pictogramme à l'entrée, "
            "déclaration à la police et conservation d'un mois au plus.",
            "Camera surveillance rests on our legitimate interest (Art. 6(1)(f) GDPR) under the "
            "conditions of the camera law of 21 March 2007: a pictogram at the entrance, "
            "declaration to the police and keeping the footage for at most one month.",
        ),
        # Why the basis changed: for staff (the ROPA's notes), never in the statement.
        "internal_note": (
            "De vorige privacyverklaring noemde camerabeelden onder toestemming (F). Wie "
            "gefilmd wordt, kan echter niet vrij weigeren, zodat toestemming geen geldige "
            "grondslag is; daarom gerechtvaardigd belang."
        ),
        "subjects": ["filmed-persons"],
        "categories": ["camera-images"],
        "recipients": ["police"],
        "provision_requirement": "voluntary",
        "consequence": t(
            "Wie niet gefilmd wil worden, kan de bewaakte ruimte niet betreden.",
            "Qui ne souhaite pas être filmé ne peut pas entrer dans l'espace surveillé.",
            "Anyone who does not want to be filmed cannot enter the monitored area.",
        ),
    },
    {
        "code": "G",
        "name": t("Personeelsbeheer", "Gestion du personnel", "Personnel management"),
        "purpose": t(
            "Arbeidscontracten: het sluiten en uitvoeren van arbeidsovereenkomsten, de loon- en "
            "personeelsadministratie.",
            "Contrats de travail : conclusion et exécution des contrats de travail, "
            "administration salariale et du personnel.",
            "Employment contracts: concluding and performing employment contracts, payroll and "
            "personnel administration.",
        ),
        "legal_basis": "contract",
        "additional_legal_basis": "legal_obligation",
        "legal_basis_explanation": t(
            "De arbeidsovereenkomst (art. 6, lid 1, b AVG) en de sociale en fiscale wetgeving "
            "(art. 6, lid 1, c AVG). In een arbeidsrelatie is toestemming zelden vrij gegeven; "
            "we vragen ze enkel voor wat niet nodig is voor de overeenkomst (bv. een foto op "
            "de website). De privacyafspraken met ons personeel staan in een afzonderlijk "
            "document.",
            "Le contrat de travail (art. 6, par. 1, b du RGPD) et la législation sociale et "
            "fiscale (art. 6, par. 1, c du RGPD). Dans une relation de travail, le consentement "
            "est rarement libre ; nous ne le demandons que pour ce qui n'est pas nécessaire au "
            "contrat (p. ex. une photo sur le site web). Les accords de confidentialité avec "
            "notre personnel figurent dans un document distinct.",
            "The employment contract (Art. 6(1)(b) GDPR) and social and tax law (Art. 6(1)(c) "
            "GDPR). In an employment relationship consent is rarely freely given; we ask for it "
            "only for what the contract does not need (e.g. a photo on the website). The privacy "
            "arrangements with our staff are set out in a separate document.",
        ),
        "subjects": ["employees"],
        "categories": ["identity", "email", "mobile", "employment"],
        "recipients": ["accountant", "authorities"],
        "provision_requirement": "statutory",
        "consequence": t(
            "Zonder deze gegevens kunnen we geen arbeidsovereenkomst sluiten of uitvoeren.",
            "Sans ces données, nous ne pouvons ni conclure ni exécuter le contrat de travail.",
            "Without these data we cannot conclude or perform the employment contract.",
        ),
    },
    # Issue 13: processing the system itself does, each with its retention rule below.
    {
        "code": "H",
        "name": t(
            "Behandeling van verzoeken van betrokkenen",
            "Traitement des demandes des personnes concernées",
            "Handling data-subject requests",
        ),
        "purpose": t(
            "Uw verzoeken om inzage, verbetering, wissing, beperking, bezwaar of "
            "overdraagbaarheid behandelen, uw identiteit nagaan en kunnen aantonen hoe we dat "
            "deden.",
            "Traiter vos demandes d'accès, de rectification, d'effacement, de limitation, "
            "d'opposition ou de portabilité, vérifier votre identité et pouvoir démontrer "
            "comment nous l'avons fait.",
            "Handling your requests for access, rectification, erasure, restriction, objection "
            "or portability, checking your identity and being able to show how we did so.",
        ),
        "legal_basis": "legal_obligation",
        "legal_basis_explanation": t(
            "Art. 12 tot 22 AVG verplichten ons uw verzoek te beantwoorden; art. 5, lid 2 AVG "
            "verplicht ons aan te tonen dat we dat deden.",
            "Les art. 12 à 22 du RGPD nous obligent à répondre à votre demande ; l'art. 5, "
            "par. 2 du RGPD nous oblige à démontrer que nous l'avons fait.",
            "Art. 12 to 22 GDPR oblige us to answer your request; Art. 5(2) GDPR obliges us to "
            "show that we did.",
        ),
        "subjects": ["requesters"],
        "categories": ["request-data", "identity", "email"],
        "recipients": ["it-infrastructure"],
        "provision_requirement": "statutory",
        "consequence": t(
            "Zonder deze gegevens kunnen we uw verzoek niet behandelen.",
            "Sans ces données, nous ne pouvons pas traiter votre demande.",
            "Without these data we cannot handle your request.",
        ),
    },
    {
        "code": "I",
        "name": t(
            "Beveiliging van onze systemen",
            "Sécurité de nos systèmes",
            "Security of our systems",
        ),
        "purpose": t(
            "Aanmeldingen van personeel en koppelingen met onze systemen bijhouden om misbruik "
            "te voorkomen en op te sporen.",
            "Enregistrer les connexions du personnel et des systèmes liés afin de prévenir et "
            "de détecter les abus.",
            "Logging sign-ins of staff and of connected systems to prevent and detect misuse.",
        ),
        "legal_basis": "legitimate_interest",
        "legitimate_interest": t(
            "De beveiliging van de gegevens die we bewaren (art. 32 AVG): mislukte en geslaagde "
            "aanmeldingen en API-oproepen worden kort bijgehouden.",
            "La sécurité des données que nous conservons (art. 32 du RGPD) : les connexions "
            "réussies ou non et les appels d'API sont conservés brièvement.",
            "The security of the data we keep (Art. 32 GDPR): failed and successful sign-ins "
            "and API calls are kept for a short time.",
        ),
        "subjects": ["employees"],
        "categories": ["access-logs"],
        "recipients": ["it-infrastructure"],
        "provision_requirement": "contractual",
        "consequence": t(
            "Zonder aanmelding geen toegang tot onze systemen.",
            "Sans connexion, pas d'accès à nos systèmes.",
            "Without signing in there is no access to our systems.",
        ),
    },
    {
        "code": "J",
        "name": t("Register van datalekken", "Registre des violations", "Breach register"),
        "purpose": t(
            "Elk datalek documenteren: de feiten, de gevolgen en de genomen maatregelen.",
            "Documenter toute violation : les faits, ses effets et les mesures prises.",
            "Documenting every breach: the facts, its effects and the remedial action taken.",
        ),
        "legal_basis": "legal_obligation",
        "legal_basis_explanation": t(
            "Art. 33, lid 5 AVG.",
            "Art. 33, par. 5 du RGPD.",
            "Art. 33(5) GDPR.",
        ),
        "subjects": ["breach-subjects"],
        "categories": ["breach-data"],
        "recipients": ["authorities"],
        "provision_requirement": "statutory",
        "consequence": t(
            "Niet van toepassing: we documenteren wat er gebeurde.",
            "Sans objet : nous documentons ce qui s'est passé.",
            "Not applicable: we document what happened.",
        ),
    },
]

# code: activity, data category, value, unit, anchor, action, legal reference, name,
#       criterion, statement text
RETENTION_RULES: list[dict[str, Any]] = [
    {
        "code": "prospect",
        "activity": "B",
        "data_category": None,
        "period": (1, "years"),
        "anchor": "first_contact",
        "action": "delete",
        "legal_reference": "",
        "name": t("Prospecten", "Prospects", "Prospects"),
        "statement_text": t(
            "Gegevens van prospecten worden 1 jaar na het eerste contact bijgehouden.",
            "Les données des prospects sont conservées 1 an après le premier contact.",
            "Prospects' data are kept for 1 year after the first contact.",
        ),
    },
    {
        "code": "loose-contact",
        "activity": "A",
        "data_category": None,
        "period": (1, "years"),
        "anchor": "first_contact",
        "action": "delete",
        "legal_reference": "",
        "name": t("Losse contacten", "Contacts occasionnels", "Occasional contacts"),
        "statement_text": t(
            "Gegevens van losse contacten worden 1 jaar na het eerste contact bijgehouden.",
            "Les données des contacts occasionnels sont conservées 1 an après le premier contact.",
            "Occasional contacts' data are kept for 1 year after the first contact.",
        ),
    },
    {
        "code": "web-inquiry",
        "activity": "E",
        "data_category": None,
        "period": (1, "years"),
        "anchor": "received_at",
        "action": "delete",
        "legal_reference": "",
        "name": t(
            "Berichten via website of webshop",
            "Messages via le site ou la boutique en ligne",
            "Messages through the website or webshop",
        ),
        "statement_text": t(
            "Gegevens die ons bereiken via website of webshop zonder dat de betrokkenen klant "
            "worden, worden na 1 jaar verwijderd.",
            "Les données qui nous parviennent via le site web ou la boutique en ligne sans que "
            "les personnes concernées deviennent clientes sont supprimées après 1 an.",
            "Data reaching us through the website or webshop from people who do not become "
            "customers are deleted after 1 year.",
        ),
    },
    {
        "code": "camera-footage",
        "activity": "F2",
        "data_category": "camera-images",
        "period": (14, "days"),
        "anchor": "recorded_at",
        "action": "delete",
        "legal_reference": "Camerawet van 21 maart 2007, art. 6 §3 (hoogstens één maand)",
        "name": t("Camerabeelden", "Images de caméras", "Camera footage"),
        "statement_text": t(
            "Camerabeelden worden na 14 dagen verwijderd, tenzij ze een misdrijf, schade of "
            "overlast bewijzen.",
            "Les images de caméras sont supprimées après 14 jours, sauf si elles prouvent une "
            "infraction, des dégâts ou des nuisances.",
            "Camera footage is deleted after 14 days, unless it proves an offence, damage or "
            "nuisance.",
        ),
    },
    {
        "code": "invoice",
        "activity": "D",
        "data_category": "invoicing",
        "period": (7, "years"),
        "anchor": "last_invoice_fiscal_year_end",
        "action": "delete",
        "legal_reference": (
            "Art. III.88 Wetboek van economisch recht (7 jaar); fiscale en btw-wetgeving: "
            "10 jaar voor stukken vanaf boekjaar 2023 (wet van 20 november 2022)"
        ),
        "name": t("Facturen", "Factures", "Invoices"),
        "statement_text": t(
            "De facturatiegegevens worden bijgehouden tot 7 jaar na het einde van het laatste "
            "boekjaar waarin de laatste factuur aan de klant werd opgemaakt.",
            "Les données de facturation sont conservées jusqu'à 7 ans après la fin du dernier "
            "exercice comptable au cours duquel la dernière facture a été établie au client.",
            "Invoicing data are kept until 7 years after the end of the last financial year in "
            "which the last invoice was issued to the customer.",
        ),
    },
    {
        "code": "customer-contact",
        "activity": "C",
        "data_category": "identity",
        "period": (7, "years"),
        "anchor": "last_invoice_fiscal_year_end",
        "action": "review",
        "review_every_months": 12,  # the seed's yearly review; staff set their own
        "legal_reference": "",
        "name": t(
            "Contactgegevens van klanten", "Coordonnées des clients", "Customer contact data"
        ),
        "criterion": t(
            "Zolang de klantrelatie loopt en de gegevens nodig zijn om de klant correct te "
            "bedienen en de overeenkomsten uit te voeren; nooit vroeger dan de facturen die we "
            "nog moeten bewaren. Daarna beoordeelt een medewerker of de gegevens gewist of "
            "geanonimiseerd worden.",
            "Tant que la relation client dure et que les données sont nécessaires pour servir "
            "correctement le client et exécuter les contrats ; jamais avant les factures que "
            "nous devons encore conserver. Ensuite, un collaborateur décide de leur suppression "
            "ou de leur anonymisation.",
            "As long as the customer relationship lasts and the data are needed to serve the "
            "customer properly and perform the contracts; never before the invoices we still "
            "have to keep. After that a member of staff decides whether they are deleted or "
            "anonymised.",
        ),
        "statement_text": t(
            "Contactgegevens van klanten worden zo lang bijgehouden als nodig is om de klanten "
            "correct te kunnen bedienen en de overeenkomsten uit te voeren.",
            "Les coordonnées des clients sont conservées aussi longtemps que nécessaire pour "
            "servir correctement les clients et exécuter les contrats.",
            "Customers' contact data are kept as long as needed to serve customers properly and "
            "perform the contracts.",
        ),
    },
    {
        "code": "processor-data",
        "activity": "D",
        "data_category": "client-data",
        "period": (0, "days"),
        "anchor": "contract_end",
        "action": "delete",
        "legal_reference": "Art. 28(3)(g) AVG",
        "name": t(
            "Gegevens die we als verwerker ontvangen",
            "Données reçues en tant que sous-traitant",
            "Data received as a processor",
        ),
        "statement_text": t(
            "De gegevens die C-DOT verkrijgt als verwerker worden verwijderd op verzoek van de "
            "klanten en bij beëindiging van het contract.",
            "Les données que C-DOT reçoit en tant que sous-traitant sont supprimées à la "
            "demande des clients et à la fin du contrat.",
            "Data that C-DOT receives as a processor are deleted at the clients' request and "
            "when the contract ends.",
        ),
    },
    {
        "code": "newsletter",
        "activity": "F",
        "data_category": "email",
        "period": (0, "days"),
        "anchor": "consent_withdrawn",
        "action": "delete",
        "legal_reference": "Art. 7(3) AVG",
        "name": t("Nieuwsbrief", "Newsletter", "Newsletter"),
        "statement_text": t(
            "Uw gegevens voor de nieuwsbrief bewaren we tot u uw toestemming intrekt. Daarna "
            "houden we enkel een sleutel-hash van uw e-mailadres bij, zodat we u niet opnieuw "
            "aanschrijven.",
            "Nous conservons vos données pour la newsletter jusqu'à ce que vous retiriez votre "
            "consentement. Ensuite, nous ne gardons qu'une empreinte à clé de votre adresse "
            "e-mail, afin de ne plus vous écrire.",
            "We keep your newsletter data until you withdraw your consent. After that we keep "
            "only a keyed hash of your e-mail address, so that we do not write to you again.",
        ),
    },
    {
        "code": "employment",
        "activity": "G",
        "data_category": "employment",
        "period": (5, "years"),
        "anchor": "end_of_employment",
        "action": "review",
        "review_every_months": 12,  # the seed's yearly review; staff set their own
        "legal_reference": (
            "Sociale documenten: 5 jaar (KB nr. 5 van 23 oktober 1978); langere termijnen "
            "voor fiscale stukken blijven gelden"
        ),
        "name": t("Personeelsdossiers", "Dossiers du personnel", "Personnel files"),
        "statement_text": t(
            "Personeelsgegevens bewaren we zolang de sociale wetgeving dat oplegt, in de regel "
            "5 jaar na het einde van de arbeidsovereenkomst.",
            "Nous conservons les données du personnel aussi longtemps que la législation "
            "sociale l'impose, en règle générale 5 ans après la fin du contrat de travail.",
            "We keep employment data as long as social law requires, as a rule 5 years after "
            "the end of the employment contract.",
        ),
    },
    # Issue 13: nothing personal is kept for ever.
    {
        "code": "data-subject-request",
        "activity": "H",
        "data_category": "request-data",
        "period": (5, "years"),
        "anchor": "closed_at",
        "action": "delete",
        "legal_reference": (
            "Art. 5, lid 2 en art. 12 AVG (aantonen hoe een verzoek werd behandeld); 5 jaar = "
            "verjaringstermijn van de rechtsvordering (art. 2262bis BW), door het personeel te "
            "bevestigen. De auditregels blijven zonder persoonsgegevens (handeling, tijdstip, "
            "referentie)."
        ),
        "name": t(
            "Afgehandelde verzoeken van betrokkenen",
            "Demandes traitées des personnes concernées",
            "Closed data-subject requests",
        ),
        "statement_text": t(
            "Uw verzoek, de identiteitscontrole en ons antwoord bewaren we 5 jaar na het "
            "afsluiten ervan; daarna worden ze verwijderd.",
            "Nous conservons votre demande, le contrôle d'identité et notre réponse 5 ans "
            "après sa clôture ; ensuite, ils sont supprimés.",
            "We keep your request, the identity check and our answer for 5 years after it is "
            "closed; then they are deleted.",
        ),
    },
    {
        "code": "staff-access-log",
        "activity": "I",
        "data_category": "access-logs",
        "period": (90, "days"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": "Art. 32 AVG",
        "name": t("Aanmeldlogboek", "Journal des connexions", "Sign-in log"),
        "statement_text": t(
            "Aanmeldgegevens van personeel worden na 90 dagen verwijderd.",
            "Les données de connexion du personnel sont supprimées après 90 jours.",
            "Staff sign-in data are deleted after 90 days.",
        ),
    },
    {
        "code": "staff-login-attempt",
        "activity": "I",
        "data_category": "access-logs",
        "period": (90, "days"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": "Art. 32 AVG",
        "name": t("Aanmeldpogingen", "Tentatives de connexion", "Sign-in attempts"),
        "statement_text": t(
            "Aanmeldpogingen van personeel worden na 90 dagen verwijderd.",
            "Les tentatives de connexion du personnel sont supprimées après 90 jours.",
            "Staff sign-in attempts are deleted after 90 days.",
        ),
    },
    {
        "code": "staff-login-failure",
        "activity": "I",
        "data_category": "access-logs",
        "period": (90, "days"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": "Art. 32 AVG",
        "name": t("Mislukte aanmeldingen", "Connexions échouées", "Failed sign-ins"),
        "statement_text": t(
            "Mislukte aanmeldingen worden na 90 dagen verwijderd.",
            "Les connexions échouées sont supprimées après 90 jours.",
            "Failed sign-ins are deleted after 90 days.",
        ),
    },
    {
        "code": "staff-admin-log",
        "activity": "I",
        "data_category": "access-logs",
        "period": (1, "years"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": "Art. 5, lid 2 en art. 32 AVG",
        "name": t(
            "Logboek van wijzigingen door personeel",
            "Journal des modifications du personnel",
            "Log of staff changes",
        ),
        "statement_text": t(
            "Het logboek van wijzigingen door personeel wordt na 1 jaar verwijderd.",
            "Le journal des modifications du personnel est supprimé après 1 an.",
            "The log of changes made by staff is deleted after 1 year.",
        ),
    },
    {
        "code": "staff-session",
        "activity": "I",
        "data_category": "access-logs",
        "period": (0, "days"),
        "anchor": "session_end",
        "action": "delete",
        "legal_reference": "Art. 32 AVG",
        "name": t("Sessies", "Sessions", "Sessions"),
        "statement_text": t(
            "Sessiegegevens worden verwijderd zodra de sessie afloopt.",
            "Les données de session sont supprimées dès que la session expire.",
            "Session data are deleted as soon as the session ends.",
        ),
    },
    {
        "code": "api-audit",
        "activity": "I",
        "data_category": "access-logs",
        "period": (1, "years"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": "Art. 32 AVG",
        "name": t("API-logboek", "Journal de l'API", "API log"),
        "statement_text": t(
            "Het logboek van koppelingen met onze systemen wordt na 1 jaar verwijderd.",
            "Le journal des systèmes liés est supprimé après 1 an.",
            "The log of connected systems is deleted after 1 year.",
        ),
    },
    {
        "code": "staff-account",
        "activity": "I",
        "data_category": "access-logs",
        "period": (1, "years"),
        "anchor": "end_of_employment",
        "action": "review",
        "review_every_months": 12,  # the seed's yearly review; staff set their own
        "legal_reference": "Art. 32 AVG",
        "name": t("Personeelsaccounts", "Comptes du personnel", "Staff accounts"),
        "criterion": t(
            "Een uitgeschakeld account waarmee 1 jaar niet meer werd aangemeld, legt het "
            "personeel bij de dagelijkse controle voor om te verwijderen.",
            "Un compte désactivé sans connexion depuis 1 an est soumis au personnel lors du "
            "contrôle quotidien pour être supprimé.",
            "A disabled account not used to sign in for 1 year is put to staff at the daily "
            "check for deletion.",
        ),
        "statement_text": t(
            "Accounts van personeel worden 1 jaar na het laatste gebruik nagekeken en verwijderd.",
            "Les comptes du personnel sont vérifiés et supprimés 1 an après la dernière "
            "utilisation.",
            "Staff accounts are reviewed and deleted 1 year after their last use.",
        ),
    },
    {
        "code": "breach-register",
        "activity": "J",
        "data_category": "breach-data",
        "period": (5, "years"),
        "anchor": "closed_at",
        "action": "delete",
        "legal_reference": (
            "Art. 33, lid 5 AVG (documentatieplicht); 5 jaar na afsluiting, door het personeel "
            "te bevestigen"
        ),
        "name": t("Datalekken", "Violations de données", "Personal-data breaches"),
        "statement_text": t(
            "Het register van datalekken bewaren we 5 jaar na het afsluiten van elk lek.",
            "Nous conservons le registre des violations 5 ans après la clôture de chacune.",
            "We keep the breach register for 5 years after each breach is closed.",
        ),
    },
    {
        "code": "consent-proof",
        "activity": "F",
        "data_category": "consent-proof",
        "period": (5, "years"),
        "anchor": "consent_withdrawn",
        "action": "delete",
        "legal_reference": (
            "Art. 7, lid 1 AVG (toestemming aantonen); 5 jaar na intrekking, door het "
            "personeel te bevestigen"
        ),
        "name": t(
            "Bewijs van ingetrokken toestemming",
            "Preuve d'un consentement retiré",
            "Proof of a withdrawn consent",
        ),
        "statement_text": t(
            "Na het intrekken van uw toestemming bewaren we 5 jaar een bewijs zonder uw "
            "e-mailadres: een sleutel-hash ervan, wanneer u toestemde, welke tekst u zag en "
            "wanneer u die introk.",
            "Après le retrait de votre consentement, nous conservons 5 ans une preuve sans "
            "votre adresse e-mail : une empreinte à clé de celle-ci, la date de votre "
            "consentement, le texte affiché et la date du retrait.",
            "After you withdraw your consent we keep, for 5 years, a proof without your e-mail "
            "address: a keyed hash of it, when you consented, the text you saw and when you "
            "withdrew.",
        ),
    },
    {
        "code": "suppression",
        "activity": "F",
        "data_category": "consent-proof",
        "period": (5, "years"),
        "anchor": "recorded_at",
        "action": "review",
        "review_every_months": 12,  # the seed's yearly review; staff set their own
        "legal_reference": "Art. 21, lid 3 AVG",
        "name": t("Uitsluitingslijst", "Liste d'exclusion", "Suppression list"),
        "criterion": t(
            "Zolang we nieuwsbrieven of direct marketing versturen; elke regel wordt 5 jaar na "
            "opname nagekeken.",
            "Tant que nous envoyons des newsletters ou du marketing direct ; chaque entrée est "
            "revue 5 ans après son ajout.",
            "As long as we send newsletters or direct marketing; each entry is reviewed 5 years "
            "after it was added.",
        ),
        "statement_text": t(
            "Wie geen marketing meer wil ontvangen, staat op een uitsluitingslijst met enkel "
            "een sleutel-hash van het e-mailadres; die lijst wordt 5 jaar na opname nagekeken.",
            "Les personnes qui ne veulent plus recevoir de marketing figurent sur une liste "
            "d'exclusion ne contenant qu'une empreinte à clé de leur adresse e-mail ; cette "
            "liste est revue 5 ans après l'ajout.",
            "Anyone who wants no more marketing is on a suppression list holding only a keyed "
            "hash of the e-mail address; the list is reviewed 5 years after each entry.",
        ),
    },
    {
        "code": "email-outbox",
        "activity": "A",
        "data_category": None,
        "period": (30, "days"),
        "anchor": "last_activity",
        "action": "delete",
        "legal_reference": "",
        "name": t("Verstuurde e-mails", "E-mails envoyés", "E-mails sent"),
        "statement_text": t(
            "De e-mails die we u sturen (bevestigingen, antwoorden op uw verzoek) bewaren we "
            "30 dagen na verzending in onze verzendwachtrij, om te kunnen nagaan of ze vertrokken "
            "zijn; daarna worden ze verwijderd.",
            "Les e-mails que nous vous envoyons (confirmations, réponses à votre demande) sont "
            "conservés 30 jours après l'envoi dans notre file d'envoi, pour pouvoir vérifier "
            "qu'ils sont partis ; ils sont ensuite supprimés.",
            "The e-mails we send you (confirmations, answers to your request) are kept in our "
            "sending queue for 30 days after sending, so we can check that they left; then they "
            "are deleted.",
        ),
    },
    {
        # records/ledger.py: what erasures, withdrawals and objections a restored backup must
        # not undo. Longer than the backups are kept (30 days, docs/OPERATIONS.md); the code
        # never prunes a line younger than the oldest kept backup, whatever this period says.
        "code": "erasure-ledger",
        "activity": "H",
        "data_category": "request-data",
        "period": (60, "days"),
        "anchor": "logged_at",
        "action": "delete",
        "legal_reference": (
            "Art. 17 en art. 5, lid 2 AVG (een wissing blijft gewist na het terugzetten van een "
            "back-up); langer dan back-ups bewaard worden (30 dagen)"
        ),
        "name": t("Register van wissingen", "Registre des effacements", "Erasure ledger"),
        "statement_text": t(
            "Wanneer we gegevens wissen of u geen marketing meer wil, noteren we dat zonder naam "
            "of adres (een nummer of een sleutel-hash), zodat het terugzetten van een back-up "
            "het niet ongedaan maakt; die notitie wordt na 60 dagen verwijderd.",
            "Lorsque nous effaçons des données ou que vous ne voulez plus de marketing, nous le "
            "notons sans nom ni adresse (un numéro ou une empreinte à clé), afin que la "
            "restauration d'une sauvegarde ne l'annule pas ; cette note est supprimée après "
            "60 jours.",
            "When we erase data or you want no more marketing, we note it without name or "
            "address (a number or a keyed hash), so that restoring a backup does not undo it; "
            "that note is deleted after 60 days.",
        ),
    },
    # Staff names the system keeps as accountability evidence (Art. 5(2)), not for ever.
    {
        "code": "statement-approver",
        "activity": "I",
        "data_category": None,
        "period": (5, "years"),
        "anchor": "superseded",
        "action": "anonymise",
        "legal_reference": (
            "Art. 5, lid 2 AVG (aantonen wie elke versie goedkeurde); 5 jaar na vervanging = "
            "verjaring van een vordering tot schadevergoeding (art. 2262bis, § 1, tweede lid "
            "oud BW), door het personeel te bevestigen"
        ),
        "name": t(
            "Wie een versie van de privacyverklaring goedkeurde",
            "Qui a approuvé une version de la déclaration de confidentialité",
            "Who approved a version of the privacy statement",
        ),
        "statement_text": t(
            "De naam van de medewerker die een versie van deze verklaring goedkeurde, bewaren "
            "we tot 5 jaar nadat een nieuwere versie ze verving; daarna vermeldt die versie "
            "enkel nog de rol (privacyverantwoordelijke).",
            "Le nom du collaborateur qui a approuvé une version de cette déclaration est "
            "conservé jusqu'à 5 ans après son remplacement par une version plus récente ; "
            "ensuite, cette version ne mentionne plus que le rôle (responsable de la vie "
            "privée).",
            "The name of the staff member who approved a version of this statement is kept "
            "until 5 years after a newer version replaced it; after that the version names "
            "only the role (privacy officer).",
        ),
    },
    {
        "code": "staff-notice-publisher",
        "activity": "I",
        "data_category": None,
        "period": (5, "years"),
        "anchor": "superseded",
        "action": "anonymise",
        "legal_reference": (
            "Art. 5, lid 2 AVG (aantonen wie elke versie publiceerde); 5 jaar na vervanging, "
            "zoals de privacyverklaring, door het personeel te bevestigen"
        ),
        "name": t(
            "Wie een versie van de privacyverklaring voor personeel publiceerde",
            "Qui a publié une version de la déclaration de confidentialité du personnel",
            "Who published a version of the staff privacy notice",
        ),
        "statement_text": t(
            "De naam van de medewerker die een versie van de privacyverklaring voor personeel "
            "publiceerde, bewaren we tot 5 jaar nadat een nieuwere versie ze verving; daarna "
            "vermeldt die versie enkel nog de rol (privacyverantwoordelijke).",
            "Le nom du collaborateur qui a publié une version de la déclaration de "
            "confidentialité du personnel est conservé jusqu'à 5 ans après son remplacement "
            "par une version plus récente ; ensuite, cette version ne mentionne plus que le "
            "rôle (responsable de la vie privée).",
            "The name of the staff member who published a version of the staff privacy notice "
            "is kept until 5 years after a newer version replaced it; after that the version "
            "names only the role (privacy officer).",
        ),
    },
    {
        "code": "review-decision",
        "activity": "I",
        "data_category": None,
        "period": (5, "years"),
        "anchor": "recorded_at",
        "action": "delete",
        "legal_reference": (
            "Art. 5, lid 2 AVG (aantonen waarom gegevens na een controle bewaard of gewist "
            "werden); 5 jaar, door het personeel te bevestigen"
        ),
        "name": t(
            "Beslissingen na een controle van bewaarde gegevens",
            "Décisions après un contrôle des données conservées",
            "Decisions after a review of kept data",
        ),
        "statement_text": t(
            "Wanneer ons personeel na een controle beslist gegevens te bewaren of te wissen, "
            "noteren we de reden en wie besliste; die notitie wordt na 5 jaar verwijderd, een "
            "beslissing om te bewaren niet zolang ze nog geldt.",
            "Lorsque notre personnel décide, après un contrôle, de conserver ou d'effacer des "
            "données, nous notons le motif et qui a décidé ; cette note est supprimée après "
            "5 ans, une décision de conserver pas tant qu'elle s'applique encore.",
            "When our staff decide after a review to keep or erase data, we note the reason "
            "and who decided; that note is deleted after 5 years, a decision to keep not while "
            "it still applies.",
        ),
    },
    # The register's history keeps earlier contact details (Art. 30(1)(a), 30(2)(a) while
    # listed): accountability evidence (Art. 5(2)), not for ever (Art. 5(1)(e)).
    {
        "code": "register-history-contact",
        "activity": "I",
        "data_category": None,
        "period": (5, "years"),
        "anchor": "superseded",
        "action": "anonymise",
        "legal_reference": (
            "Art. 5, lid 2 AVG (aantonen wie het register als contactpersoon noemde) afgewogen "
            "tegen art. 5, lid 1, e) AVG; 5 jaar na vervanging = verjaring van een vordering tot "
            "schadevergoeding (art. 2262bis, § 1, tweede lid oud BW), door het personeel te "
            "bevestigen"
        ),
        "name": t(
            "Vroegere privacycontactpersonen in de geschiedenis van het register",
            "Anciens contacts vie privée dans l'historique du registre",
            "Earlier privacy contacts in the register's history",
        ),
        "statement_text": t(
            "Wanneer we in ons register een andere contactpersoon voor privacyvragen (of "
            "functionaris voor gegevensbescherming) vermelden, bewaren we de naam en het "
            "e-mailadres van de vorige in de geschiedenis van het register tot 5 jaar na die "
            "vervanging; daarna worden ze daar gewist.",
            "Lorsque notre registre désigne une autre personne de contact pour les questions de "
            "vie privée (ou un autre délégué à la protection des données), nous conservons le "
            "nom et l'adresse e-mail de la précédente dans l'historique du registre jusqu'à "
            "5 ans après ce remplacement ; ils y sont ensuite effacés.",
            "When our register names another contact person for privacy questions (or another "
            "data protection officer), we keep the name and e-mail address of the previous one "
            "in the register's history until 5 years after that replacement; after that they "
            "are erased there.",
        ),
    },
    {
        "code": "register-history-client-contact",
        "activity": "D",
        "data_category": None,
        "period": (5, "years"),
        "anchor": "superseded",
        "action": "anonymise",
        "legal_reference": (
            "Art. 5, lid 2 en art. 30, lid 2, a) AVG (aantonen wie het register als contact van "
            "een klant noemde) afgewogen tegen art. 5, lid 1, e) AVG; 5 jaar na vervanging of "
            "schrapping, zoals art. 2262bis, § 1 oud BW, door het personeel te bevestigen"
        ),
        "name": t(
            "Vroegere contactpersonen van klanten in de geschiedenis van het register",
            "Anciens contacts des clients dans l'historique du registre",
            "Earlier client contacts in the register's history",
        ),
        "statement_text": t(
            "Wanneer een klant voor wie we gegevens verwerken een andere contactpersoon (of "
            "vertegenwoordiger) opgeeft, of uit ons register verdwijnt, bewaren we de vorige "
            "gegevens in de geschiedenis van het register tot 5 jaar daarna; daarna worden ze "
            "daar gewist.",
            "Lorsqu'un client pour lequel nous traitons des données désigne une autre personne "
            "de contact (ou un autre représentant), ou quitte notre registre, nous conservons "
            "les coordonnées précédentes dans l'historique du registre jusqu'à 5 ans après ; "
            "elles y sont ensuite effacées.",
            "When a client we process data for names another contact person (or "
            "representative), or leaves our register, we keep the previous details in the "
            "register's history until 5 years after that; after that they are erased there.",
        ),
    },
]

# Categories of processing C-DOT carries out for clients (Art. 30(2)(b)), from purpose D.
PROCESSING_CATEGORIES = {
    "mailhosting": t("Mailhosting", "Hébergement de messagerie", "Mail hosting"),
    "cloud-backup": t("Cloud back-up", "Sauvegarde dans le cloud", "Cloud backup"),
    "cloud-vps": t("Cloud-VPS", "VPS dans le cloud", "Cloud VPS"),
    "webhosting": t("Webhosting", "Hébergement web", "Web hosting"),
    "repairs": t("Herstellingen", "Réparations", "Repairs"),
}
