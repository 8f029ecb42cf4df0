@step-3
Feature: Identity documents
  The client proves who they are with an ID card (front and back), a passport data page or the
  passport chip; the data must hold and match the bank's record.

  @RX-06 @RX-07 @positive @smoke
  Scenario Outline: Complete, valid evidence is verified
    Given a bank client with <document>
    When the client starts the reactivation
    And the client presents the evidence
    Then the evidence is verified

    Examples:
      | document        |
      | an ID card      |
      | a passport      |
      | a passport chip |

  @RX-06 @negative @smoke
  Scenario: One side of an ID card is not enough
    Given a bank client with an ID card
    When the client starts the reactivation
    And the client presents only the front of the ID card
    Then the verification waits for more evidence

  @RX-07 @negative @step-4
  Scenario: An expired document stops the reactivation
    Given the persona "expired-document"
    When the client goes through the reactivation
    Then the reactivation stops at step 4
    And no activation of the client is ACTIVE

  @RX-07 @positive
  Scenario Outline: Honest clients with each document are reactivated
    Given the persona "<persona>"
    When the client goes through the reactivation
    Then the client is reactivated

    Examples:
      | persona         |
      | honest-id-card  |
      | honest-passport |

  @RX-07 @negative
  Scenario Outline: Document data that differs from the bank's record is not accepted
    Given a bank client whose bank record has another <datum>
    When the client starts the reactivation
    And the client presents the evidence
    Then the evidence is not accepted

    Examples:
      | datum          |
      | family name    |
      | ID card number |
